import { Readable } from "node:stream";
import type { Request, Response } from "express";
import { checkBodyBounds } from "./body-bounds.js";
import { setRecallHeaders } from "./headers.js";
import type { ProxyErrorListener } from "./proxy-error.js";
import { joinUnderBase } from "./upstream-path.js";

export interface UpstreamConfig {
  /** Base URL of the OpenAI-compatible API, with its version path (e.g. `https://api.openai.com/v1`). */
  baseURL: string;
  /** The key sent upstream. Without it, the client's `Authorization` header is forwarded. */
  apiKey?: string;
  /** Request headers forwarded to the upstream besides `Authorization`. */
  forwardHeaders: string[];
  fetch: typeof fetch;
  /** Where failures are reported, with `secrets` taken out (error bodies stay generic). */
  onError: ProxyErrorListener;
  /** Texts never to report: the base URL's userinfo and the API key. */
  secrets: string[];
}

export const DEFAULT_FORWARD_HEADERS = ["openai-organization", "openai-project", "openai-beta"];

/** Headers that describe one hop, or a body the proxy re-encodes; never copied across. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "content-encoding",
]);

/**
 * The headers of an upstream request: the configured key (or the client's own `Authorization`),
 * the allowed pass-through headers, and the content type. The key lives only in this object.
 */
export function upstreamHeaders(req: Request, config: UpstreamConfig, contentType?: string): Headers {
  const headers = new Headers();
  if (config.apiKey) headers.set("authorization", `Bearer ${config.apiKey}`);
  else if (typeof req.headers.authorization === "string")
    headers.set("authorization", req.headers.authorization);
  for (const name of config.forwardHeaders) {
    const value = req.headers[name];
    if (typeof value === "string") headers.set(name, value);
  }
  if (contentType) headers.set("content-type", contentType);
  return headers;
}

/**
 * The upstream URL of a path (and query) relative to the base. It never leaves the base path: an
 * unsafe path (dot segments, encoded slashes, …) throws a 400 `ApiError` (see `upstream-path.ts`).
 */
export function upstreamUrl(config: UpstreamConfig, path: string): string {
  return joinUnderBase(config.baseURL, path);
}

/** POSTs a JSON body upstream. Rejects only when the upstream cannot be reached. */
export function postJson(
  req: Request,
  config: UpstreamConfig,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<globalThis.Response> {
  return config.fetch(upstreamUrl(config, path), {
    method: "POST",
    headers: upstreamHeaders(req, config, "application/json"),
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** Copies an upstream response's status and end-to-end headers onto the Express response. */
export function copyStatusAndHeaders(from: globalThis.Response, res: Response): void {
  res.status(from.status);
  from.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) res.setHeader(name, value);
  });
}

/**
 * Forwards a request the proxy does not cache (`/models`, …) as it is, and streams the upstream's
 * answer back. Throws a 400 `ApiError` for an unsafe path, or for a body parsed before the proxy
 * that is too deep or too large to re-serialize; any other rejection means the upstream could not
 * be reached.
 */
export async function forwardUnchanged(req: Request, res: Response, config: UpstreamConfig): Promise<void> {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const contentType =
    typeof req.headers["content-type"] === "string" ? req.headers["content-type"] : undefined;
  const url = upstreamUrl(config, req.url);
  const init: RequestInit & { duplex?: "half" } = {
    method: req.method,
    headers: upstreamHeaders(req, config, hasBody ? contentType : undefined),
  };
  if (hasBody) {
    const body = parsedBody(req);
    if (body === NOT_PARSED) {
      init.body = Readable.toWeb(req) as unknown as BodyInit;
      init.duplex = "half";
    } else if (body !== undefined) init.body = body as BodyInit;
  }
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  init.signal = controller.signal;
  const upstream = await config.fetch(url, init);
  copyStatusAndHeaders(upstream, res);
  setRecallHeaders(res, { status: "bypass" });
  if (!upstream.body) {
    res.end();
    return;
  }
  await pipeBody(upstream.body, res);
}

const NOT_PARSED = Symbol("not parsed");

/**
 * The body a parser mounted before the proxy already read (body-parser 1 marks that with `_body`,
 * body-parser 2 leaves the request stream ended), ready to send: text and bytes as they are, a
 * parsed value as JSON. The value is bounded first (`checkBodyBounds`, a 400 `ApiError`), since
 * `JSON.stringify` walks it recursively and a deep body would overflow the stack.
 */
function parsedBody(req: Request): string | Buffer | undefined | typeof NOT_PARSED {
  const consumed = (req as Request & { _body?: boolean })._body === true || req.readableEnded;
  if (!consumed) return NOT_PARSED;
  const body: unknown = req.body;
  if (body === undefined || typeof body === "string" || Buffer.isBuffer(body)) return body;
  checkBodyBounds(body);
  return JSON.stringify(body);
}

/** Streams a web body into the response, respecting back-pressure; ends the response. */
export async function pipeBody(body: ReadableStream<Uint8Array>, res: Response): Promise<void> {
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      if (!res.write(chunk))
        await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    res.destroy();
  }
}
