/**
 * Canonical text and JSON, so that requests that mean the same thing produce the same key.
 */

export interface NormalizeOptions {
  /** Fold letter case in message text. Default false: "Paris" and "paris" stay apart. */
  caseInsensitive?: boolean;
}

/**
 * Unicode NFC; in prose, runs of white space folded to one space and the text trimmed; lower-cased
 * when asked. Code keeps its white space and case, because there they can change the meaning: lines
 * inside a fenced block (```` ``` ```` or `~~~`) are kept as written, and an indented line (after the
 * first line) keeps its indentation and inner spacing (only trailing spaces go). So two Python
 * snippets that differ only in indentation stay two keys, while "What is  the\ncapital? " is
 * "What is the capital?".
 */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  const prose = (s: string) => {
    const folded = s.replace(/\s+/gu, " ").trim();
    return options.caseInsensitive ? folded.toLocaleLowerCase("en-US") : folded;
  };
  const nfc = text.normalize("NFC");
  // Fast path: one line, or no fence and no indented line: all prose (the common case).
  if (!/[\r\n][ \t]*(?:```|~~~)|^[ \t]*(?:```|~~~)|[\r\n][ \t]+\S/u.test(nfc)) return prose(nfc);
  const blocks: string[] = [];
  let paragraph: string[] = [];
  let code: string[] = [];
  let fence: string | undefined;
  const flushProse = () => {
    const folded = prose(paragraph.join(" "));
    if (folded) blocks.push(folded);
    paragraph = [];
  };
  const flushCode = () => {
    while (code.length > 0 && code[code.length - 1] === "") code.pop();
    if (code.length > 0) blocks.push(code.join("\n"));
    code = [];
  };
  nfc.split(/\r?\n|\r/u).forEach((line, i) => {
    const marker = /^[ \t]*(```|~~~)/u.exec(line)?.[1];
    if (fence !== undefined) {
      code.push(line.trimEnd());
      if (marker === fence && /^[ \t]*(?:```|~~~)[ \t]*$/u.test(line)) {
        fence = undefined;
        flushCode();
      }
    } else if (marker) {
      flushProse();
      flushCode();
      fence = marker;
      code.push(line.trim());
    } else if (i > 0 && /^[ \t]+\S/u.test(line)) {
      flushProse();
      code.push(line.trimEnd());
    } else if (/\S/u.test(line)) {
      flushCode();
      paragraph.push(line);
    } else if (code.length > 0) {
      code.push("");
    }
  });
  flushProse();
  flushCode();
  return blocks.join("\n");
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
  // Null prototype: a member named `__proto__` (JSON.parse makes it an own property) stays a member.
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === "function") continue;
    out[key] = canonicalize(member);
  }
  return out;
}

/**
 * Sets a member by a name that may come from users: a member named `__proto__` becomes an own
 * member instead of replacing the prototype (as `target[name] = value` would).
 */
export function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__")
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}
