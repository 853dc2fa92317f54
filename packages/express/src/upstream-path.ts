import type { RequestHandler } from "express";
import { ApiError } from "./errors.js";

/**
 * A forwarded request must never leave the upstream's base path: `GET /v1/../../admin` appended to
 * `https://api.example/v1` would resolve to `https://api.example/admin`. So a request path is
 * refused (400) when, in any segment, raw or percent-decoded:
 * - it is a dot segment, or any segment starting with a dot (`..`, `.%2e`, `%2E%2E`, `.env`);
 * - it holds an encoded slash or backslash (`%2f`, `%5c`), a raw backslash, or a control character;
 * - it holds an encoded percent sign (`%25`, the start of double encoding such as `%252e`) or a
 *   malformed escape;
 * - the path does not start with a single `/` (`//host`, `http://host/…`), has an empty segment
 *   (`a//b`), or the URL holds a fragment (`#`).
 * And the URL built from it is checked to lie under the base path all the same.
 */

/** Throws a 400 `ApiError` unless `url` (a request's path and query) is safe to append to the base. */
export function checkRequestPath(url: string): void {
  const problem = pathProblem(url);
  if (problem) {
    throw new ApiError(400, `The request path is not allowed: ${problem}.`, null, "invalid_path");
  }
}

/** Refuses an unsafe path before any route runs. */
export const rejectUnsafePath: RequestHandler = (req, _res, next) => {
  checkRequestPath(req.url);
  next();
};

function pathProblem(url: string): string | undefined {
  if (url.includes("#")) return "it holds a fragment (#)";
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.startsWith("/") || path.startsWith("//")) return "it must start with a single /";
  if (path.includes("\\")) return "it holds a backslash";
  const segments = path.slice(1).split("/");
  for (let i = 0; i < segments.length; i++) {
    const raw = segments[i]!;
    // A single trailing slash (`/models/`) leaves one empty last segment, which is harmless.
    if (raw === "") {
      if (i === segments.length - 1) continue;
      return "it has an empty segment (//)";
    }
    if (/%25/i.test(raw)) return "it holds an encoded percent sign (double encoding)";
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return "it holds a malformed percent-encoding";
    }
    if (decoded.startsWith(".")) return "a segment starts with a dot (dot segments are refused)";
    if (decoded.includes("/") || decoded.includes("\\")) return "it holds an encoded slash or backslash";
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    if (/[\u0000-\u001f\u007f]/.test(decoded)) return "it holds a control character";
  }
  return undefined;
}

/**
 * `base` and `url` joined, once `url` passes `checkRequestPath`; and the result checked to keep the
 * base's origin and to start with its path (throws a 400 `ApiError` otherwise).
 */
export function joinUnderBase(base: string, url: string): string {
  checkRequestPath(url);
  const trimmed = base.replace(/\/+$/, "");
  const joined = new URL(`${trimmed}${url}`);
  const root = new URL(trimmed);
  const basePath = root.pathname.replace(/\/+$/, "");
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (joined.origin !== root.origin || joined.pathname !== `${basePath}${path}`) {
    throw new ApiError(
      400,
      "The request path is not allowed: it leaves the upstream's base path.",
      null,
      "invalid_path",
    );
  }
  return joined.href;
}
