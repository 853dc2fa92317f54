import { assertOption } from "../errors.js";
import type { CallOptions } from "../pipeline/options.js";
import { assertVariants } from "../pipeline/variants.js";

export interface ParseCallOptionsSettings<Extra extends string> {
  /** Where the options were given, for messages: `providerOptions.recall`, `recall`, … */
  where: string;
  /** Options set for every call (an adapter's `callOptions`); the call's own win. */
  defaults?: CallOptions;
  /** Members the adapter reads itself (e.g. `context`, `pace`), handed back unchecked. */
  extra?: readonly Extra[];
}

export interface ParsedCallOptions<Extra extends string> {
  call: CallOptions;
  /** The adapter's own members, as given. */
  extra: Partial<Record<Extra, unknown>>;
}

const BOOLEANS = ["noCache", "noStore", "forceRefresh", "semantic"] as const;
const KNOWN = new Set<string>([
  ...BOOLEANS,
  "ttl",
  "namespace",
  "threshold",
  "verify",
  "tags",
  "waitTimeoutMs",
  "staleWhileRevalidate",
  "grace",
  "variants",
]);

/**
 * Reads per-call options given to an adapter (`providerOptions.recall`, LangChain's `recall` call
 * option, …) over its defaults, with one set of messages for every adapter. Throws
 * `RECALL_INVALID_OPTION`, naming the member and where it was given, on a wrong type or an unknown
 * member (a misspelled `noCahce` would otherwise be ignored in silence).
 *
 * @example
 * const { call, extra } = parseCallOptions(params.providerOptions?.recall, {
 *   where: "providerOptions.recall",
 *   defaults: { namespace: "app" },
 *   extra: ["context"],
 * });
 */
export function parseCallOptions<Extra extends string = never>(
  raw: unknown,
  settings: ParseCallOptionsSettings<Extra>,
): ParsedCallOptions<Extra> {
  const { where, defaults = {} } = settings;
  const extra: Partial<Record<Extra, unknown>> = {};
  if (raw === undefined || raw === null) return { call: { ...defaults }, extra };
  assertOption(typeof raw === "object" && !Array.isArray(raw), `${where} must be an object`);
  const given = raw as Record<string, unknown>;
  const own = new Set<string>(settings.extra ?? []);
  const call: CallOptions = { ...defaults };
  for (const name of Object.keys(given)) {
    const v = given[name];
    if (own.has(name)) {
      extra[name as Extra] = v;
      continue;
    }
    assertOption(
      KNOWN.has(name),
      `${where}.${name} is not a Recall option (known: ${[...KNOWN, ...own].join(", ")})`,
    );
    if (v === undefined) continue;
    if ((BOOLEANS as readonly string[]).includes(name)) {
      assertOption(typeof v === "boolean", `${where}.${name} must be a boolean, got ${JSON.stringify(v)}`);
      call[name as (typeof BOOLEANS)[number]] = v;
    }
  }
  const { ttl, namespace, threshold, verify, tags, waitTimeoutMs, staleWhileRevalidate, grace, variants } =
    given;
  if (variants !== undefined) {
    assertVariants(variants, `${where}.variants`);
    call.variants = variants;
  }
  for (const [name, v] of [
    ["staleWhileRevalidate", staleWhileRevalidate],
    ["grace", grace],
  ] as const) {
    if (v === undefined) continue;
    assertOption(
      typeof v === "number" && Number.isFinite(v) && v >= 0,
      `${where}.${name} must be a non-negative number of ms, got ${JSON.stringify(v)}`,
    );
    call[name] = v;
  }
  if (waitTimeoutMs !== undefined) {
    assertOption(
      typeof waitTimeoutMs === "number" && Number.isFinite(waitTimeoutMs) && waitTimeoutMs >= 0,
      `${where}.waitTimeoutMs must be a non-negative number of ms, got ${JSON.stringify(waitTimeoutMs)}`,
    );
    call.waitTimeoutMs = waitTimeoutMs;
  }
  if (ttl !== undefined) {
    assertOption(
      typeof ttl === "number" && Number.isFinite(ttl) && ttl >= 0,
      `${where}.ttl must be a non-negative number of ms, got ${JSON.stringify(ttl)}`,
    );
    call.ttl = ttl;
  }
  if (namespace !== undefined) {
    assertOption(
      typeof namespace === "string" && namespace.length > 0,
      `${where}.namespace must be a non-empty string`,
    );
    call.namespace = namespace;
  }
  if (threshold !== undefined) {
    assertOption(
      typeof threshold === "number" && threshold > 0 && threshold <= 1,
      `${where}.threshold must be a cosine similarity in (0, 1], got ${JSON.stringify(threshold)}`,
    );
    call.threshold = threshold;
  }
  if (verify !== undefined) {
    assertOption(
      verify === "sync" || verify === "async" || verify === false,
      `${where}.verify must be "sync", "async" or false, got ${JSON.stringify(verify)}`,
    );
    call.verify = verify;
  }
  if (tags !== undefined) {
    assertOption(
      Array.isArray(tags) && tags.every((t) => typeof t === "string"),
      `${where}.tags must be an array of strings`,
    );
    call.tags = [...tags];
  }
  return { call, extra };
}
