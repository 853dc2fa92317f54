import type { ErrorRequestHandler, Response } from "express";
import { failureDetail, ProxyError, type ProxyErrorListener, redact, routeOf } from "./proxy-error.js";

/** The error body OpenAI's API answers with, which its clients know how to surface. */
export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A client error in OpenAI's shape, with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = status >= 500 ? "server_error" : "invalid_request_error",
  ) {
    super(message);
    this.name = "ApiError";
  }

  toJSON(): ApiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function sendApiError(res: Response, error: ApiError): void {
  res.status(error.status).json(error.toJSON());
}

/** body-parser's errors carry a `type`; anything else from it is a generic 400. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
  length?: number;
}

const isClientStatus = (status: unknown): status is number =>
  Number.isInteger(status) && (status as number) >= 400 && (status as number) < 500;

/** Turns body-parser's errors into OpenAI-shaped 4xx answers that say what is wrong. */
export function bodyErrorToApiError(error: BodyParserError): ApiError | undefined {
  switch (error.type) {
    case "entity.parse.failed":
      return new ApiError(
        400,
        `We could not parse the JSON body of your request: ${error.message}. Send a JSON object with Content-Type: application/json.`,
        null,
        "invalid_json",
      );
    case "entity.too.large":
      return new ApiError(
        413,
        `The request body is too large: ${error.length ?? "?"} bytes, the limit is ${error.limit ?? "?"} bytes.`,
        null,
        "request_too_large",
      );
    case "encoding.unsupported":
    case "charset.unsupported":
      return new ApiError(415, error.message, null, "unsupported_encoding");
    case "request.aborted":
    case "request.size.invalid":
    case "stream.encoding.set":
      return new ApiError(400, error.message, null, "invalid_body");
    default:
      // Any other client error of the body parser (it sets a 4xx `status`) stays a 4xx.
      if (typeof error.type === "string" && isClientStatus(error.status)) {
        return new ApiError(error.status, error.message, null, "invalid_body");
      }
      return undefined;
  }
}

/** An Express error handler that answers body-parser failures in OpenAI's error shape. */
export const bodyErrorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  const apiError = error instanceof ApiError ? error : bodyErrorToApiError(error as BodyParserError);
  if (!apiError || res.headersSent) return next(error);
  sendApiError(res, apiError);
};

/**
 * The proxy's last handler: any other error still answers in OpenAI's shape (500), never an HTML
 * page, and with a generic message (an error's text may name internal hosts or hold secrets); its
 * detail, without `secrets`, goes to `onError`.
 */
export function lastErrorHandler(
  onError: ProxyErrorListener,
  secrets: readonly string[],
): ErrorRequestHandler {
  return (error, req, res, next) => {
    onError(
      new ProxyError(
        "proxy_error",
        `the proxy failed: ${redact(failureDetail(error), secrets)}`,
        routeOf(req),
      ),
    );
    if (res.headersSent) return next(error);
    sendApiError(res, new ApiError(500, "The proxy failed to handle the request.", null, "proxy_error"));
  };
}
