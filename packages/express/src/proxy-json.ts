import type { CacheOutcome, LookupMiss } from "@recall/core";
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
 * A miss (or an uncacheable call, whose ticket is core's `passThrough`) answered by the upstream with
 * JSON: forwards the request, sends the upstream's status, headers and body back unchanged, and
 * commits a 2xx answer, as the exact JSON text the upstream sent, to the cache (where the engine's
 * validation decides whether it is stored). Errors pass through and are never stored.
 */
export async function forwardJson(
  req: Request,
  res: Response,
  config: UpstreamConfig,
  path: string,
  body: unknown,
  ticket: LookupMiss<string>,
  describe: (parsed: unknown) => AnswerDescription,
): Promise<void> {
  let upstream: globalThis.Response;
  let text: string;
  try {
    upstream = await postJson(req, config, path, body);
    text = await upstream.text();
  } catch (error) {
    ticket.fail();
    upstreamUnreachable(req, res, config, error);
    return;
  }
  copyStatusAndHeaders(upstream, res);
  setRecallHeaders(res, ticket);
  res.end(text);
  if (!upstream.ok) return ticket.fail();
  // A 2xx body that is not JSON throws here: reported by the engine, not stored.
  await ticket.commit(() => ({ body: text, ...describe(JSON.parse(text)) }));
}
