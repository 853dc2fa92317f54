import { describe, expect, it } from "vitest";
import { fromStorable, toStorable } from "./storable.js";

describe("storable", () => {
  it("survives a JSON round trip with dates, bytes and URLs revived", () => {
    const value = {
      at: new Date("2026-01-02T03:04:05.678Z"),
      bytes: new Uint8Array([0, 1, 254, 255]),
      url: new URL("https://example.com/a?b=c"),
      nested: [{ n: 1, gone: undefined, fn: () => 1 }, null, "text"],
    };
    const back = fromStorable<typeof value>(JSON.parse(JSON.stringify(toStorable(value))));
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.getTime()).toBe(value.at.getTime());
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.bytes)).toEqual([0, 1, 254, 255]);
    expect(back.url).toBeInstanceOf(URL);
    expect(back.url.href).toBe("https://example.com/a?b=c");
    expect(back.nested).toEqual([{ n: 1 }, null, "text"]);
  });

  it("returns a fresh copy each time", () => {
    const stored = toStorable({ content: [{ type: "text", text: "a" }] });
    const a = fromStorable<{ content: Array<{ text: string }> }>(stored);
    a.content[0]!.text = "changed";
    expect(fromStorable<{ content: Array<{ text: string }> }>(stored).content[0]!.text).toBe("a");
  });
});

describe("storable with prototype names", () => {
  it("keeps a member named __proto__ through a round trip", () => {
    const value = JSON.parse('{"a":1,"__proto__":{"x":2}}');
    const back = fromStorable<Record<string, unknown>>(JSON.parse(JSON.stringify(toStorable(value))));
    expect(Object.keys(back)).toEqual(["a", "__proto__"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });
});
