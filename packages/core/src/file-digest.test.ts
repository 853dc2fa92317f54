import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fileDigest } from "./file-digest.js";

const digestOf = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const percentEncoded = (bytes: Uint8Array) =>
  [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

/** Every form an SDK may hand an adapter the same file in. */
function forms(bytes: Uint8Array): Array<[string, Parameters<typeof fileDigest>[0]]> {
  const b64 = base64(bytes);
  return [
    ["Uint8Array", bytes],
    ["Buffer", Buffer.from(bytes)],
    ["ArrayBuffer", bytes.slice().buffer],
    ["a view into a larger buffer", new Uint8Array([9, ...bytes, 9]).subarray(1, bytes.length + 1)],
    ["base64", b64],
    ["base64, line-wrapped", b64.replace(/.{1,8}/g, "$&\n")],
    ["base64url, unpadded", base64url(bytes)],
    ["base64, unpadded", b64.replace(/=+$/, "")],
    ["a data URL", `data:application/octet-stream;base64,${b64}`],
    ["a data URL without a media type", `data:;base64,${b64}`],
    ["a data URL with spaces in its base64", `data:;base64,${b64.replace(/.{1,4}/g, "$& ")}`],
    ["a data URL as a URL", new URL(`data:image/png;base64,${b64}`)],
    ["a percent-encoded data URL", `data:application/octet-stream,${percentEncoded(bytes)}`],
  ];
}

describe("fileDigest", () => {
  it("gives one digest to the same bytes in every form", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const [form, data] of forms(bytes)) expect(fileDigest(data), form).toBe(digestOf(bytes));
      }),
    );
  });

  it("gives different bytes different digests, whatever their forms", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        fc.pre(Buffer.compare(a, b) !== 0);
        const digestsOfA = new Set(forms(a).map(([, data]) => fileDigest(data)));
        for (const [, data] of forms(b)) expect(digestsOfA.has(fileDigest(data))).toBe(false);
      }),
    );
  });

  it("keeps a URL as its href, whether given as a URL or an http(s) string", () => {
    expect(fileDigest("https://example.com/cat.png")).toBe("https://example.com/cat.png");
    expect(fileDigest("HTTPS://Example.com/a b.png")).toBe("https://example.com/a%20b.png");
    expect(fileDigest(new URL("http://example.com/x?y=1"))).toBe("http://example.com/x?y=1");
    expect(fileDigest(new URL("gs://bucket/file.pdf"))).toBe("gs://bucket/file.pdf");
  });

  it("hashes any other string as its UTF-8 text", () => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    expect(fileDigest("hello world")).toBe(digestOf(utf8("hello world")));
    expect(fileDigest("gs://bucket/file.pdf")).toBe(digestOf(utf8("gs://bucket/file.pdf")));
    // Both alphabets at once, padding short of a multiple of 4, one character too many: not base64.
    expect(fileDigest("ab+_")).toBe(digestOf(utf8("ab+_")));
    expect(fileDigest("QUI=A")).toBe(digestOf(utf8("QUI=A")));
    expect(fileDigest("QUJDR")).toBe(digestOf(utf8("QUJDR")));
    // A data URL whose base64 body is not base64, or without a comma: the whole string as text.
    expect(fileDigest("data:;base64,!!")).toBe(digestOf(utf8("data:;base64,!!")));
    expect(fileDigest("data:image/png")).toBe(digestOf(utf8("data:image/png")));
    // Text given as bytes is never read as base64.
    expect(fileDigest(utf8("abcd"))).not.toBe(fileDigest("abcd"));
  });

  it("leaves the media type of a data URL out of the digest (the adapter keys it apart)", () => {
    expect(fileDigest("data:image/png;base64,aGk=")).toBe(fileDigest("data:text/plain;base64,aGk="));
    expect(fileDigest("data:text/plain,hi")).toBe(fileDigest("aGk="));
  });
});
