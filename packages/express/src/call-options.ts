import type { CallOptions } from "@recall/core";
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
   * A request header that names the namespace, used when `namespace` is not given. Default
   * `x-recall-namespace`; `false` ignores it. Only trust it behind your own authentication: whoever
   * can set it can read that namespace.
   */
  namespaceHeader?: string | false;
  /** Per-request call options of your own (tags, threshold, …), merged over the HTTP ones. */
  callOptions?: (req: Request) => CallOptions | undefined;
}

export const DEFAULT_NAMESPACE_HEADER = "x-recall-namespace";
const MAX_NAMESPACE_LENGTH = 200;

/**
 * The cache call options an HTTP request asks for: `Cache-Control`, namespace, and your own.
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
  const header = options.namespaceHeader ?? DEFAULT_NAMESPACE_HEADER;
  if (header === false) return combine(req, options, undefined);
  const raw = req.headers[header.toLowerCase()];
  return combine(req, options, checked(Array.isArray(raw) ? raw[0] : raw, `the ${header} header`));
}

function combine(req: Request, options: RequestCacheOptions, namespace: string | undefined): CallOptions {
  const control = parseCacheControl(req.headers["cache-control"]);
  const own = options.callOptions?.(req);
  return { ...control, ...(namespace === undefined ? {} : { namespace }), ...own };
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
