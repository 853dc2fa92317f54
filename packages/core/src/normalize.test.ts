import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requestKeys } from "./keys.js";
import { canonicalJson, normalizeText } from "./normalize.js";

const keyOf = (content: string) =>
  requestKeys(
    { model: { provider: "openai", id: "gpt-4.1" }, messages: [{ role: "user", content }] },
    { prefix: "recall", namespace: "default" },
  ).key;

describe("normalizeText", () => {
  it("folds white space in prose and trims it", () => {
    expect(normalizeText("  What is  the\ncapital?\t ")).toBe("What is the capital?");
    expect(normalizeText("What\r\nis\u00a0the capital?")).toBe("What is the capital?");
  });

  it("keeps indentation, so Python that differs only in indentation stays apart", () => {
    const a = "Why does this fail?\nfor x in xs:\n    if x:\n        print(x)\n    print('done')";
    const b = "Why does this fail?\nfor x in xs:\n    if x:\n        print(x)\n        print('done')";
    expect(normalizeText(a)).not.toBe(normalizeText(b));
    expect(keyOf(a)).not.toBe(keyOf(b));
    expect(normalizeText(a)).toBe(
      "Why does this fail? for x in xs:\n    if x:\n        print(x)\n    print('done')",
    );
  });

  it("keeps fenced code as written, blank lines and inner spacing included", () => {
    const text = "Explain:\n```python\ndef f():\n  s = 'a  b'\n\n  return s\n```\nThanks  a lot";
    expect(normalizeText(text)).toBe(
      "Explain:\n```python\ndef f():\n  s = 'a  b'\n\n  return s\n```\nThanks a lot",
    );
    expect(normalizeText(text.replace("'a  b'", "'a b'"))).not.toBe(normalizeText(text));
  });

  it("folds case in prose only when asked, never in code", () => {
    const text = "How Do I fix\n    Foo = 1";
    expect(normalizeText(text, { caseInsensitive: true })).toBe("how do i fix\n    Foo = 1");
  });

  it("drops trailing spaces and blank lines around code, which change nothing", () => {
    expect(normalizeText("Fix:\n    x = 1   \n\n\nThanks")).toBe(normalizeText("Fix:\n    x = 1\nThanks"));
  });

  it("property: code lines that differ only in leading indentation never share a key", () => {
    const line = fc.stringMatching(/^[a-z][a-z0-9_ =()+:'.]{0,20}[a-z0-9):]$/);
    const indent = fc.constantFrom("  ", "    ", "\t", "        ", "  \t");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(indent, line), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        indent,
        (lines, pick, other) => {
          const i = pick % lines.length;
          fc.pre(lines[i]![0] !== other);
          const render = (ls: Array<[string, string]>) =>
            `Why?\nstart:\n${ls.map(([s, l]) => s + l).join("\n")}`;
          const changed = lines.map((l, j) => (j === i ? ([other, l[1]] as [string, string]) : l));
          expect(keyOf(render(lines))).not.toBe(keyOf(render(changed)));
        },
      ),
    );
  });

  it("property: prose that differs only in runs of white space shares one key", () => {
    const word = fc.stringMatching(/^[A-Za-z?,.']{1,10}$/);
    // No separator ends in a line break followed by spaces: an indented line reads as code.
    const space = fc.constantFrom(" ", "  ", "\t", "\n", " \n", "\u00a0", "\r\n", "\n\n");
    fc.assert(
      fc.property(fc.array(fc.tuple(word, space), { minLength: 1, maxLength: 8 }), (words) => {
        const plain = words.map(([w]) => w).join(" ");
        const spaced = `${words.map(([w, s]) => w + s).join("")}  `;
        expect(keyOf(spaced)).toBe(keyOf(plain));
      }),
    );
  });
});

describe("canonicalJson", () => {
  it("keeps a member named __proto__ (an own property after JSON.parse)", () => {
    const withProto = JSON.parse('{"a":1,"__proto__":{"x":1}}');
    expect(canonicalJson(withProto)).toBe('{"__proto__":{"x":1},"a":1}');
    expect(canonicalJson(withProto)).not.toBe(canonicalJson({ a: 1 }));
  });
});
