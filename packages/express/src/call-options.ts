import type { CallOptions } from "@recall/core";
import { assertOption, parseCallOptions } from "@recall/core/adapter";
import type { Request } from "express";
import { parseCacheControl } from "./cache-control.js";
import { ApiError } from "./errors.js";

/** A fixed namespace, or one derived from the request (a user or tenant id, e.g. from `req.user`). */
export type NamespaceOption = string | ((req: Request) => string | undefined | Promise<string | undefined>);

export interface RequestCacheOptions {
  /**
   * The namespace of a request's entries. A function wins over the header; returning `undefined`
   * falls back to the cache's own namespace.
   */
  namespace?: NamespaceOption;
  /**
   * Read the namespace from a request header (`namespaceHeader`) when `namespace` is not given.
   * Default false: the header is ignored. Turn it on only on a trusted network, or behind your own
   * authentication that strips or checks the header: whoever can set it can read that namespace.
   */
  trustNamespaceHeader?: boolean;
  /**
   * The header read when `trustNamespaceHeader` is true. Default `x-recall-namespace`. Naming a
   * header without `trustNamespaceHeader: true` is refused at creation (it would be ignored);
   * `false` (no header) is accepted for older configurations.
   */
  namespaceHeader?: string | false;
  /**
   * Per-request call options of your own (tags, threshold, …), merged over the HTTP ones. Checked
   * by core's `parseCallOptions`: a wrong type or an unknown member fails the request.
   */
  callOptions?: (req: Request) => CallOptions | undefined;
}

export const DEFAULT_NAMESPACE_HEADER = "x-recall-namespace";
/**
 * How a near miss is verified for this request (the cache's `semantic.verify` must be set): `sync`,
 * `async`, or `off`. Any caller may set it: it changes when a verification runs, not whom an
 * answer is served to. Your `callOptions(req)` wins over it.
 */
export const VERIFY_HEADER = "x-recall-verify";
/**
 * How many answers this request's entry keeps (1 to 32: answer variants, docs/freshness.md), for
 * clients that cannot set call options otherwise. Any caller may set it: it changes how many
 * upstream calls fill an entry, not whom an answer is served to. Your `callOptions(req)` wins.
 */
export const VARIANTS_HEADER = "x-recall-variants";
const MAX_NAMESPACE_LENGTH = 200;
const MAX_VARIANTS = 32;

/**
 * Checks the namespace options at creation (throws `RECALL_INVALID_OPTION`), so a mistake fails at
 * start-up instead of silently ignoring or trusting a header.
 */
export function checkRequestCacheOptions(options: RequestCacheOptions): void {
  const { namespace, trustNamespaceHeader, namespaceHeader } = options;
  assertOption(
    namespace === undefined ||
      typeof namespace === "function" ||
      (typeof namespace === "string" && namespace.length > 0),
    "namespace must be a non-empty string or a function of the request",
  );
  assertOption(
    trustNamespaceHeader === undefined || typeof trustNamespaceHeader === "boolean",
    `trustNamespaceHeader must be a boolean, got ${JSON.stringify(trustNamespaceHeader)}`,
  );
  assertOption(
    namespaceHeader === undefined ||
      namespaceHeader === false ||
      (typeof namespaceHeader === "string" && HEADER_NAME.test(namespaceHeader)),
    `namespaceHeader must be an HTTP header name or false, got ${JSON.stringify(namespaceHeader)}`,
  );
  assertOption(
    typeof namespaceHeader !== "string" || trustNamespaceHeader === true,
    `namespaceHeader ${JSON.stringify(namespaceHeader)} is only read with trustNamespaceHeader: true (trusted networks only: whoever sets the header reads that namespace)`,
  );
  assertOption(
    namespaceHeader !== false || trustNamespaceHeader !== true,
    "trustNamespaceHeader: true needs a header to read, but namespaceHeader is false",
  );
  assertOption(
    options.callOptions === undefined || typeof options.callOptions === "function",
    "callOptions must be a function of the request",
  );
}

/** A header name as HTTP defines it (a token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The cache call options an HTTP request asks for: `Cache-Control`, `X-Recall-Verify`,
 * `X-Recall-Variants`, namespace (the function, the string, or the header when trusted), and your
 * own. A bad namespace, `X-Recall-Verify` or `X-Recall-Variants` throws a 400 `ApiError`.
 * Synchronous unless the namespace function is async (a hit should not wait on extra ticks).
 */
export function requestCallOptions(
  req: Request,
  options: RequestCacheOptions,
): CallOptions | Promise<CallOptions> {
  const { namespace } = options;
  if (typeof namespace === "function") {
    const value = namespace(req);
    if (value instanceof Promise) {
      return value.then((v) => combine(req, options, checked(v, "the namespace function")));
    }
    return combine(req, options, checked(value, "the namespace function"));
  }
  if (typeof namespace === "string") return combine(req, options, namespace);
  if (options.trustNamespaceHeader !== true) return combine(req, options, undefined);
  const header = options.namespaceHeader || DEFAULT_NAMESPACE_HEADER;
  const raw = req.headers[header.toLowerCase()];
  return combine(req, options, checked(Array.isArray(raw) ? raw[0] : raw, `the ${header} header`));
}

function combine(req: Request, options: RequestCacheOptions, namespace: string | undefined): CallOptions {
  const control = parseCacheControl(req.headers["cache-control"]);
  const verify = verifyOf(req.headers[VERIFY_HEADER]);
  const variants = variantsOf(req.headers[VARIANTS_HEADER]);
  const defaults: CallOptions = {
    ...control,
    ...(verify === undefined ? {} : { verify }),
    ...(variants === undefined ? {} : { variants }),
    ...(namespace === undefined ? {} : { namespace }),
  };
  return parseCallOptions(options.callOptions?.(req), { where: "callOptions(req)", defaults }).call;
}

/** `X-Recall-Verify` as a call option: `sync`, `async`, or `off` (`false`); absent stays undefined. */
function verifyOf(header: string | string[] | undefined): CallOptions["verify"] {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(",") : header).trim().toLowerCase();
  if (value === "sync" || value === "async") return value;
  if (value === "off" || value === "false") return false;
  throw new ApiError(
    400,
    `The X-Recall-Verify header must be sync, async or off, got ${JSON.stringify(value.slice(0, 40))}.`,
    null,
    "invalid_recall_verify",
  );
}

/** `X-Recall-Variants` as a call option: an integer from 1 to 32; absent stays undefined. */
function variantsOf(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(",") : header).trim();
  const n = /^\d{1,2}$/.test(value) ? Number(value) : Number.NaN;
  if (n >= 1 && n <= MAX_VARIANTS) return n;
  throw new ApiError(
    400,
    `The X-Recall-Variants header must be an integer from 1 to ${MAX_VARIANTS}, got ${JSON.stringify(value.slice(0, 40))}.`,
    null,
    "invalid_recall_variants",
  );
}

function checked(value: unknown, source: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || value.length > MAX_NAMESPACE_LENGTH) {
    throw new ApiError(
      400,
      `The namespace from ${source} must be a string of at most ${MAX_NAMESPACE_LENGTH} characters.`,
      null,
      "invalid_namespace",
    );
  }
  return value;
}
