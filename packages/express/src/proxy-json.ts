import type {
  CacheOutcome,
  CacheRequest,
  CacheResponse,
  CallOptions,
  Lookup,
  LookupMiss,
  RecallCache,
} from "@recall/core";
import type { Request, Response } from "express";
import { ApiError, sendApiError } from "./errors.js";
import { CACHE_HEADER, cacheHeaderValue, setHitHeaders } from "./headers.js";
import type { AnswerDescription } from "./openai-response.js";
import { failureDetail, ProxyError, redact, routeOf } from "./proxy-error.js";
import { copyStatusAndHeaders, postJson, type UpstreamConfig } from "./upstream.js";

/** A miss's ticket: settle it with the fresh answer, or fail it so waiting callers go upstream. */
export type Ticket<T = string> = LookupMiss<T>;

/** The proxy stores each answer as the exact JSON text the upstream sent, and replays it as is. */
export type StoredAnswer = CacheResponse<string>;

/**
 * `cache.lookup`, failing open: should the engine itself throw (it is built not to), the request
 * goes upstream uncached rather than fail.
 */
export async function lookupSafely<T = string>(
  cache: RecallCache,
  request: CacheRequest,
  options: CallOptions,
): Promise<Lookup<T> | undefined> {
  try {
    return await cache.lookup<T>(request, options);
  } catch {
    return undefined;
  }
}

/** Answers a hit with the stored JSON text, sent raw: no parse, no re-serialization. */
export function sendJsonHit(res: Response, outcome: CacheOutcome<string>): void {
  setHitHeaders(res, outcome);
  res.setHeader("Content-Type", "application/json");
  res.writeHead(200);
  res.end(outcome.response.body);
}

export function markMiss<T>(res: Response, ticket: Ticket<T> | undefined): void {
  res.setHeader(CACHE_HEADER, ticket ? cacheHeaderValue(ticket.status) : "BYPASS");
}

/**
 * The upstream could not be called: a 502 whose body names nothing internal (no address, host or
 * secret); the detail, without credentials, goes to `config.onError`.
 */
export function upstreamUnreachable(
  req: Request,
  res: Response,
  config: UpstreamConfig,
  error: unknown,
): void {
  const detail = redact(failureDetail(error), config.secrets);
  config.onError(
    new ProxyError("upstream_unreachable", `the upstream could not be reached: ${detail}`, routeOf(req)),
  );
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendApiError(
    res,
    new ApiError(
      502,
      "The upstream API could not be reached.",
      null,
      "upstream_unreachable",
      "upstream_error",
    ),
  );
}

/**
 * A miss (or an uncacheable call) answered by the upstream with JSON: forwards the request, sends the
 * upstream's status, headers and body back unchanged, and commits a 2xx answer to the cache (where
 * the engine's validation decides whether it is stored). Errors pass through and are never stored.
 */
export async function forwardJson(
  req: Request,
  res: Response,
  config: UpstreamConfig,
  path: string,
  body: unknown,
  ticket: Ticket | undefined,
  describe: (parsed: unknown) => AnswerDescription,
): Promise<void> {
  let upstream: globalThis.Response;
  let text: string;
  try {
    upstream = await postJson(req, config, path, body);
    text = await upstream.text();
  } catch (error) {
    ticket?.fail();
    upstreamUnreachable(req, res, config, error);
    return;
  }
  copyStatusAndHeaders(upstream, res);
  markMiss(res, ticket);
  res.end(text);
  if (!ticket) return;
  let parsed: unknown;
  try {
    parsed = upstream.ok ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined) {
    ticket.fail();
    return;
  }
  await commitSafely(ticket, { body: text, ...describe(parsed) });
}

export async function commitSafely(ticket: Ticket, response: StoredAnswer): Promise<void> {
  try {
    await ticket.commit(response);
  } catch {
    ticket.fail();
  }
}
