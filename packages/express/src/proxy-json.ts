import type { CacheOutcome, CacheResponse, LookupMiss } from "@recall/core";
import type { Request, Response } from "express";
import { ApiError, sendApiError } from "./errors.js";
import { setRecallHeaders } from "./headers.js";
import type { AnswerDescription } from "./openai-response.js";
import { failureDetail, ProxyError, redact, routeOf } from "./proxy-error.js";
import { copyStatusAndHeaders, postJson, type UpstreamConfig } from "./upstream.js";

/** Answers a hit with the stored JSON text, sent raw: no parse, no re-serialization. */
export function sendJsonHit(res: Response, outcome: CacheOutcome<string>): void {
  setRecallHeaders(res, outcome);
  res.setHeader("Content-Type", "application/json");
  res.writeHead(200);
  res.end(outcome.response.body);
}

/** An upstream answer that grace may replace with a stale entry: a 5xx or a 429 (rate limited). */
export function isUpstreamFailure(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * The fresh answer of a background refresh (stale-while-revalidate): the upstream's JSON text for
 * `body`, described for validation. Throws on an unreachable upstream or a non-2xx answer (the
 * engine reports it and keeps the stale entry).
 */
export async function refreshJson(
  req: Request,
  config: UpstreamConfig,
  path: string,
  body: unknown,
  describe: (parsed: unknown) => AnswerDescription,
): Promise<CacheResponse<string>> {
  const upstream = await postJson(req, config, path, body);
  const text = await upstream.text();
  if (!upstream.ok) throw new Error(`the upstream answered ${upstream.status}`);
  return { body: text, ...describe(JSON.parse(text)) };
}

/** Reports an unreachable upstream (without credentials) to `config.onError`. */
export function reportUnreachable(req: Request, config: UpstreamConfig, error: unknown): void {
  const detail = redact(failureDetail(error), config.secrets);
  config.onError(
    new ProxyError("upstream_unreachable", `the upstream could not be reached: ${detail}`, routeOf(req)),
  );
}

/**
 * The upstream failed (unreachable, a 5xx, a 429): the stale entry grace allows instead, if any
 * (`ticket.rescue`). The reason names only the status, never an address or a body.
 */
export function rescued(
  ticket: LookupMiss<string>,
  failure: { status: number } | "unreachable",
): CacheOutcome<string> | undefined {
  const what = failure === "unreachable" ? "could not be reached" : `answered ${failure.status}`;
  return ticket.rescue(new Error(`the upstream ${what}`));
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
  reportUnreachable(req, config, error);
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
 * A miss (or an uncacheable call, whose ticket is core's `passThrough`) answered by the upstream with
 * JSON: forwards the request, sends the upstream's status, headers and body back unchanged, and
 * commits a 2xx answer, as the exact JSON text the upstream sent, to the cache (where the engine's
 * validation decides whether it is stored). Errors pass through and are never stored, except that
 * within grace an unreachable upstream, a 5xx or a 429 is answered by the stale entry (`sendStale`).
 */
export async function forwardJson(
  req: Request,
  res: Response,
  config: UpstreamConfig,
  path: string,
  body: unknown,
  ticket: LookupMiss<string>,
  describe: (parsed: unknown) => AnswerDescription,
  sendStale: (outcome: CacheOutcome<string>) => void,
): Promise<void> {
  let upstream: globalThis.Response;
  let text: string;
  try {
    upstream = await postJson(req, config, path, body);
    text = await upstream.text();
  } catch (error) {
    const stale = rescued(ticket, "unreachable");
    if (!stale) return upstreamUnreachable(req, res, config, error);
    reportUnreachable(req, config, error);
    return sendStale(stale);
  }
  const stale = !upstream.ok && isUpstreamFailure(upstream.status) ? rescued(ticket, upstream) : undefined;
  if (stale) return sendStale(stale);
  copyStatusAndHeaders(upstream, res);
  setRecallHeaders(res, ticket);
  res.end(text);
  if (!upstream.ok) return ticket.fail();
  // A 2xx body that is not JSON throws here: reported by the engine, not stored.
  await ticket.commit(() => ({ body: text, ...describe(JSON.parse(text)) }));
}
