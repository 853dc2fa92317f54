import type { CacheRequest, CacheStatus, LookupMiss, RecallCache, RecallSummary } from "@recall/core";
import { assertOption, parseCallOptions, passThrough, summarize } from "@recall/core/adapter";
import type { Context, MiddlewareHandler } from "hono";

export interface RecallHonoOptions {
  /** The cache to answer from: `createCache(...)` from `@recall/core`. */
  cache: RecallCache;
  /**
   * The cache request of an HTTP request, or `undefined` to leave it uncached. Default: a POST
   * with a JSON body, keyed exactly on method, path and body (never matched by meaning). Map a
   * chat-shaped body to `{ model, messages }` here to have paraphrases matched too.
   */
  toRequest?: (c: Context, body: unknown) => CacheRequest | undefined;
  /** Per-request call options (namespace, ttl, tags, …), e.g. the tenant of the signed-in user. */
  callOptions?: (c: Context) => unknown;
}

/** What `X-Recall-Cache` says for each status. */
const HEADER: Record<CacheStatus, string> = {
  hit: "HIT",
  "semantic-hit": "SEMANTIC",
  stale: "STALE",
  coalesced: "COALESCED",
  miss: "MISS",
  bypass: "BYPASS",
};

/**
 * Recall for any Hono route that answers JSON: a repeat is answered from the cache (with
 * `X-Recall-Cache: HIT`), a miss runs the route once for every identical request in flight and a
 * 2xx JSON answer is stored. The cache never fails a request: its faults are `error` events.
 *
 * @example
 * const app = new Hono();
 * app.post("/answer", recallHono({ cache: createCache() }), async (c) => c.json(await answer(await c.req.json())));
 */
export function recallHono(options: RecallHonoOptions): MiddlewareHandler {
  assertOption(typeof options?.cache?.lookup === "function", "recallHono needs { cache }: createCache(...)");
  assertOption(
    options.toRequest === undefined || typeof options.toRequest === "function",
    "toRequest must be a function",
  );
  const { cache, toRequest = exactJson } = options;

  return async (c, next) => {
    const request = await cacheRequestOf(c, toRequest);
    const { call } = parseCallOptions(options.callOptions?.(c), { where: "callOptions(c)" });
    const found = request ? await cache.lookup<string>(request, call) : passThrough<string>(call.namespace);
    if (found.hit) {
      setHeaders(c, summarize(found.outcome));
      return c.body(found.outcome.response.body, 200, { "Content-Type": "application/json" });
    }
    await next();
    setHeaders(c, await settle(found, c));
  };
}

/** Stores the route's answer when it is a 2xx JSON body; anything else frees the waiting callers. */
async function settle(ticket: LookupMiss<string>, c: Context): Promise<RecallSummary> {
  const res = c.res;
  const json = res.headers.get("Content-Type")?.includes("application/json") ?? false;
  if (c.error || !res.ok || !json) {
    ticket.fail();
    return summarize({ status: ticket.status, key: ticket.key, namespace: ticket.namespace, stored: false });
  }
  const text = await res.clone().text();
  return summarize(await ticket.commit({ body: text, text, finishReason: "stop" }));
}

function setHeaders(c: Context, summary: RecallSummary): void {
  c.header("X-Recall-Cache", HEADER[summary.status]);
  if (summary.similarity !== undefined) c.header("X-Recall-Similarity", summary.similarity.toFixed(4));
}

/** The request's JSON body through `toRequest`; a body that is not JSON is not cached. */
async function cacheRequestOf(
  c: Context,
  toRequest: NonNullable<RecallHonoOptions["toRequest"]>,
): Promise<CacheRequest | undefined> {
  if (c.req.method !== "POST") return undefined;
  let body: unknown;
  try {
    body = await c.req.json(); // Hono keeps the parsed body, so the route can read it again
  } catch {
    return undefined;
  }
  return toRequest(c, body);
}

/** The default request: the route and its JSON body, keyed exactly. */
function exactJson(c: Context, body: unknown): CacheRequest {
  return { kind: "json", model: { provider: "http", id: `${c.req.method} ${c.req.path}` }, input: body };
}
