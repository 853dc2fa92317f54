import type { Request } from "express";

/**
 * What the proxy reports (to its `onError` option) about a failure it answered with a generic 5xx.
 * Error bodies never name the upstream, its address or any secret; the details come here instead,
 * with credentials taken out: userinfo of any URL (`http://user:pass@host` → `http://host`), the
 * upstream's own userinfo and the configured API key wherever they appear.
 */
export class ProxyError extends Error {
  constructor(
    /** `upstream_unreachable` (the upstream could not be called) or `proxy_error` (a bug or a fault of ours). */
    readonly code: "upstream_unreachable" | "proxy_error",
    message: string,
    /** The request it concerns: `POST /chat/completions` (relative to the mount). */
    readonly route: string,
  ) {
    super(`[recall/express] ${message}`);
    this.name = "ProxyError";
  }
}

/** Where failures are reported. */
export type ProxyErrorListener = (error: ProxyError) => void;

/** The default listener: one line on stderr. */
export const logProxyError: ProxyErrorListener = (error) => {
  console.error(`${error.message} (${error.route})`);
};

/** `METHOD /path` of a request, relative to the proxy's mount and without the query (which may hold anything). */
export function routeOf(req: Request): string {
  return `${req.method} ${req.path}`.slice(0, 300);
}

/** Userinfo in any URL of a text: `scheme://anything-but-slash@` keeps only `scheme://`. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/** Secrets shorter than this are not searched for as plain text (they would mangle the message). */
const MIN_SECRET_LENGTH = 4;

/**
 * `text` without credentials: URL userinfo, and each of `secrets` (raw and percent-decoded) as
 * plain text.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(USERINFO, "$1");
  for (const secret of secrets) {
    for (const form of new Set([secret, safeDecode(secret)])) {
      if (form.length >= MIN_SECRET_LENGTH) out = out.split(form).join("[redacted]");
    }
  }
  return out;
}

/** The secrets to keep out of reports: the base URL's username and password, and the API key. */
export function secretsOf(baseURL: string, apiKey: string | undefined): string[] {
  const secrets = apiKey ? [apiKey] : [];
  try {
    const url = new URL(baseURL);
    if (url.username) secrets.push(url.username);
    if (url.password) secrets.push(url.password);
  } catch {}
  return secrets;
}

/** The messages of an error and its causes (`fetch failed: connect ECONNREFUSED …`), at most 5 deep. */
export function failureDetail(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
