/**
 * Canonical text and JSON, so that requests that mean the same thing produce the same key.
 */

export interface NormalizeOptions {
  /** Fold letter case in message text. Default false: "Paris" and "paris" stay apart. */
  caseInsensitive?: boolean;
}

/** Unicode NFC, runs of white space folded to one space, trimmed; lower-cased when asked. */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  let out = text.normalize("NFC").replace(/\s+/gu, " ").trim();
  if (options.caseInsensitive) out = out.toLocaleLowerCase("en-US");
  return out;
}

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so that key order
 * and absent-vs-undefined never change a key. Strings are NFC-normalized (not folded: inside tool
 * schemas and JSON values white space can matter).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

function canonicalize(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === "string") return value.normalize("NFC");
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonicalize(v)));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof URL) return value.href;
  if (ArrayBuffer.isView(value))
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === "function") continue;
    out[key] = canonicalize(member);
  }
  return out;
}
