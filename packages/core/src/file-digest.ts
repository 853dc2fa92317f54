import { createHash } from "node:crypto";

/** What an SDK hands an adapter as a file's content (or where to find it). */
export type FileContent = string | Uint8Array | ArrayBuffer | ArrayBufferView | URL;

/**
 * How an image, audio clip or file enters a key: one rule for every adapter, so the same file is
 * one key however the caller passed it, and the key stays small.
 *
 * - A `URL`, or a string that starts with `http:` or `https:` and parses as one, stays a URL: its
 *   `href` (the content behind it is not fetched; a page that changes keeps its key).
 * - Content becomes `sha256:<hex>` of its bytes: bytes (`Uint8Array`, `Buffer`, `ArrayBuffer`, any
 *   typed array) as they are; a `data:` URL (string or `URL`) decoded as `fetch` would (`;base64`
 *   bodies from base64, others percent-decoded; the media type is not part of the digest); a base64
 *   string decoded. So a file as bytes, as base64 and as a data URL has one digest.
 * - What counts as base64: the standard (`+`, `/`) or the URL-safe (`-`, `_`) alphabet, not both,
 *   padded with `=` to a multiple of 4 characters or not padded at all; line breaks are ignored
 *   (line-wrapped base64 is base64), any other white space makes it text. The empty string is the empty file.
 * - Any other string is taken as the content itself and hashed as its UTF-8 bytes.
 *
 * A text that happens to be valid base64 (`"abcd"`) is decoded as base64: give text content as
 * bytes (`new TextEncoder().encode(text)`) when the SDK says it is text.
 *
 * @example
 * import { fileDigest } from "@recall/core/adapter";
 *
 * fileDigest("https://example.com/cat.png"); // "https://example.com/cat.png"
 * fileDigest("aGk="); // "sha256:8f434346…" (the bytes of "hi")
 * fileDigest("data:text/plain;base64,aGk="); // the same
 * fileDigest(new Uint8Array([0x68, 0x69])); // the same
 */
export function fileDigest(data: FileContent): string {
  if (data instanceof URL) return data.protocol === "data:" ? dataUrlDigest(data.href) : data.href;
  if (typeof data !== "string") return bytesDigest(toBytes(data));
  if (/^https?:/i.test(data)) {
    const url = parseUrl(data);
    if (url) return url.href;
  }
  if (/^data:/i.test(data)) return dataUrlDigest(data);
  const base64 = asBase64(data);
  return bytesDigest(base64 === undefined ? Buffer.from(data, "utf8") : Buffer.from(base64, "base64"));
}

function bytesDigest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** `text` without its line breaks and padding when it is base64 (see {@link fileDigest}), else undefined. */
function asBase64(text: string): string | undefined {
  const compact = text.replace(/[\r\n]/g, "");
  const body = compact.replace(/={1,2}$/, "");
  if (!STANDARD.test(body) && !URL_SAFE.test(body)) return undefined;
  const padded = body.length !== compact.length;
  if (padded ? compact.length % 4 !== 0 : body.length % 4 === 1) return undefined;
  return body;
}

/**
 * The digest of a `data:` URL's content: `data:[<media type>][;base64],<body>`. A `;base64` body
 * that is not base64, or a URL without a comma, is not a data URL: hashed as text.
 */
function dataUrlDigest(url: string): string {
  const comma = url.indexOf(",");
  if (comma < 0) return bytesDigest(Buffer.from(url, "utf8"));
  const header = url.slice(5, comma);
  const body = percentDecode(url.slice(comma + 1));
  if (!/;[\t ]*base64[\t ]*$/i.test(header)) return bytesDigest(body);
  // Declared base64: any ASCII white space in it is dropped, as `fetch` does.
  const base64 = asBase64(
    Buffer.from(body)
      .toString("latin1")
      .replace(/[\t\n\f\r ]/g, ""),
  );
  if (base64 === undefined) return bytesDigest(Buffer.from(url, "utf8"));
  return bytesDigest(Buffer.from(base64, "base64"));
}

/** The bytes of a URL body: UTF-8, with every `%XX` replaced by its byte (a stray `%` kept). */
function percentDecode(body: string): Uint8Array {
  const bytes = Buffer.from(body, "utf8");
  if (!bytes.includes(0x25)) return bytes;
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes[i] === 0x25 ? bytes.subarray(i + 1, i + 3).toString("latin1") : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(bytes[i]!);
  }
  return Uint8Array.from(out);
}
