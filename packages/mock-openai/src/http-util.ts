import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A random id with an OpenAI-style prefix, e.g. `chatcmpl-…`, `resp_…`, `call_…`. */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString("hex")}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Sleeps `ms`, waking early when `signal` aborts (the server is closing). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-request-id": randomId("req_", 16),
    ...headers,
  });
  res.end(text);
}

const ERROR_DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: "invalid_request_error", code: null, message: "Invalid request." },
  401: {
    type: "invalid_request_error",
    code: "invalid_api_key",
    message: "Incorrect API key provided.",
  },
  403: {
    type: "invalid_request_error",
    code: "unsupported_country_region_territory",
    message: "Country, region, or territory not supported.",
  },
  404: { type: "invalid_request_error", code: null, message: "Not found." },
  429: {
    type: "requests",
    code: "rate_limit_exceeded",
    message: "Rate limit reached for requests. Please try again later.",
  },
  500: {
    type: "server_error",
    code: null,
    message: "The server had an error while processing your request. Sorry about that!",
  },
  503: {
    type: "server_error",
    code: null,
    message: "The engine is currently overloaded, please try again later.",
  },
};

/** An error body in OpenAI's format: `{ error: { message, type, param, code } }`. */
export function openaiError(
  status: number,
  message?: string,
  code?: string | null,
  param: string | null = null,
): { error: { message: string; type: string; param: string | null; code: string | null } } {
  const d =
    ERROR_DEFAULTS[status] ??
    (status >= 500
      ? { type: "server_error", code: null, message: `Server error (${status}).` }
      : { type: "invalid_request_error", code: null, message: `Request failed (${status}).` });
  return {
    error: {
      message: message ?? d.message,
      type: d.type,
      param,
      code: code === undefined ? d.code : code,
    },
  };
}

/** Starts a server-sent event stream. `write` sends one event; it returns false once the client is gone. */
export function startEventStream(res: ServerResponse): {
  write: (data: unknown, event?: string) => boolean;
  end: (finalLine?: string) => void;
} {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-request-id": randomId("req_", 16),
  });
  res.flushHeaders();
  const alive = () => !res.destroyed && !res.writableEnded;
  return {
    write(data, event) {
      if (!alive()) return false;
      const payload = typeof data === "string" ? data : JSON.stringify(data);
      res.write(`${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`);
      return true;
    },
    end(finalLine) {
      if (!alive()) return;
      if (finalLine) res.write(`data: ${finalLine}\n\n`);
      res.end();
    },
  };
}

/** Ends the connection mid-response (after flushing what was written), like a dropped network link. */
export function cutConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) {
    res.destroy();
    return;
  }
  socket.end(() => res.destroy());
}
