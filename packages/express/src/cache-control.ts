import type { CallOptions } from "@recall/core";

/** What a request's `Cache-Control` header asks of the cache. */
export type CacheControl = Pick<CallOptions, "noCache" | "noStore" | "ttl">;

/**
 * Reads a request's `Cache-Control`: `no-cache` skips reading (the fresh answer is still stored),
 * `no-store` skips writing, `max-age=N` stores the answer for N seconds; `max-age=0` is both
 * `no-cache` and `no-store` (an answer that may not be kept at all). Unknown directives are ignored.
 */
export function parseCacheControl(header: string | string[] | undefined): CacheControl {
  const out: CacheControl = {};
  if (header === undefined) return out;
  const text = Array.isArray(header) ? header.join(",") : header;
  for (const raw of text.split(",")) {
    const [name = "", value] = raw.split("=", 2).map((s) => s.trim());
    switch (name.toLowerCase()) {
      case "no-cache":
        out.noCache = true;
        break;
      case "no-store":
        out.noStore = true;
        break;
      case "max-age": {
        const seconds = Number(value?.replace(/^"|"$/g, ""));
        if (!/^\s*"?\d+"?\s*$/.test(value ?? "") || !Number.isSafeInteger(seconds)) break;
        if (seconds === 0) {
          out.noCache = true;
          out.noStore = true;
        } else out.ttl = seconds * 1000;
        break;
      }
    }
  }
  return out;
}
