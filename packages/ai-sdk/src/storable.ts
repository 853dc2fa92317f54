import { setOwn } from "@recall/core/adapter";

/**
 * A JSON-safe copy of an AI SDK value and back: `Date`, `Uint8Array` and `URL` survive a store that
 * serializes to JSON (Redis, …), so a replayed result has real dates and bytes again.
 */

const TAG = "$recall";

type Tagged = { [TAG]: "date" | "bytes" | "url"; value: string };

/** Copies `value` into plain JSON data; `undefined` members and functions are dropped. */
export function toStorable(value: unknown): unknown {
  if (value === null || typeof value !== "object") return typeof value === "function" ? undefined : value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toStorable(v)));
  if (value instanceof Date) return { [TAG]: "date", value: value.toISOString() } satisfies Tagged;
  if (value instanceof URL) return { [TAG]: "url", value: value.href } satisfies Tagged;
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { [TAG]: "bytes", value: bytes.toString("base64") } satisfies Tagged;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === "function") continue;
    setOwn(out, key, toStorable(member));
  }
  return out;
}

/** The inverse of {@link toStorable}: a fresh copy with dates, bytes and URLs revived. */
export function fromStorable<T = unknown>(value: unknown): T {
  return revive(value) as T;
}

function revive(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(revive);
  const tag = (value as Record<string, unknown>)[TAG];
  if (typeof tag === "string" && typeof (value as Tagged).value === "string") {
    const raw = (value as Tagged).value;
    if (tag === "date") return new Date(raw);
    if (tag === "url") return new URL(raw);
    if (tag === "bytes") return new Uint8Array(Buffer.from(raw, "base64"));
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(out, key, revive((value as Record<string, unknown>)[key]));
  return out;
}
