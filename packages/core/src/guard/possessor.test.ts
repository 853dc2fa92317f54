import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGuard, DEFAULT_GUARD_RULES, defaultGuard } from "../guard.js";
import { possessor } from "./possessor.js";
import { analyze } from "./text.js";

const check = (q: string, c: string) => possessor.check(analyze(q), analyze(c));

/** [question, candidate] pairs the rule refuses on its own. */
const refused: Array<[string, string]> = [
  ["How do I delete my account?", "How do I delete your account?"],
  ["Can I read my wife's messages?", "Can I read his wife's messages?"],
  ["How can we sell our house?", "How can we sell their house?"],
  ["Should I tell her about my past?", "Should I tell her about her past?"],
  ["How do you reset your password?", "How do you reset my password?"],
  ["How do I change my settings?", "How do I change their settings?"],
];

/** Pairs the rule lets pass, with why. */
const passed: Array<[why: string, question: string, candidate: string]> = [
  ["person shift I → you", "How can I reset my password?", "How do you reset your password?"],
  ["person shift I → we", "How can I sell my house?", "How can we sell our house?"],
  ["same possessor", "How can I reset my password?", "How do I reset my password?"],
  ["possessor dropped", "How do I delete my account?", "How do I delete the account?"],
  ["generic 'your' with no one acting", "How to delete your account?", "How do I delete my account?"],
  [
    "generic third person",
    "How can a person improve their English?",
    "How can a person improve his English?",
  ],
  ["'his/her' is 'their'", "How can one publish his/her own book?", "How can one publish their own book?"],
  ["'her' as an object", "How do I tell her I love her?", "How can I tell my crush I love her?"],
  [
    "'its' points at a thing",
    "What is the dataset and its license?",
    "What is the dataset and their license?",
  ],
  ["help from someone", "Can you help me reset my password?", "How do I reset my password?"],
];

describe("possessor", () => {
  it.each(refused)("refuses %j for %j", (q, c) => {
    expect(check(q, c), `${q} | ${c}`).toMatch(/^possessor differs \(.+ vs .+\)$/);
    expect(check(c, q), `${c} | ${q}`).toBeDefined();
  });

  it.each(passed)("lets it pass (%s): %j / %j", (_why, q, c) => {
    expect(check(q, c), `${q} | ${c}`).toBeUndefined();
    expect(check(c, q), `${c} | ${q}`).toBeUndefined();
  });

  it("is opt-in: the default guard lets another possessor pass", () => {
    expect(defaultGuard("How do I delete my account?", "How do I delete your account?")).toEqual({
      ok: true,
    });
    const strict = createGuard({ rules: [...DEFAULT_GUARD_RULES, "possessor"] });
    expect(strict("How do I delete my account?", "How do I delete your account?")).toEqual({
      ok: false,
      rule: "possessor",
      reason: "possessor differs (my vs your)",
    });
  });

  /** A subject and its own possessive. */
  const person = fc.constantFrom(["I", "my"], ["we", "our"], ["you", "your"]);
  const others = ["my", "our", "your", "his", "her", "their"];
  const verb = fc.constantFrom("delete", "reset", "change", "update", "clean", "sell", "fix", "insure");
  const noun = fc.constantFrom("account", "password", "phone", "car", "house", "laptop", "profile", "bike");
  const template = fc.constantFrom(
    (s: string, v: string, p: string, n: string) => `How do ${s} ${v} ${p} ${n}?`,
    (s: string, v: string, p: string, n: string) => `Can ${s} ${v} ${p} ${n} online?`,
    (s: string, v: string, p: string, n: string) => `Why should ${s} ${v} ${p} ${n} every year?`,
  );
  const strict = createGuard({ rules: [...DEFAULT_GUARD_RULES, "possessor"] });

  it("refuses another possessor for the same subject, either way", () => {
    fc.assert(
      fc.property(template, person, verb, noun, fc.nat(), (t, [s, own], v, n, k) => {
        const other = others.filter((p) => p !== own)[k % (others.length - 1)]!;
        const base = t(s!, v, own!, n);
        const changed = t(s!, v, other, n);
        expect(check(base, changed), `${base} | ${changed}`).toBeDefined();
        expect(strict(base, changed).ok).toBe(false);
        expect(strict(changed, base).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("lets identity, the same possessor and a consistent change of person pass", () => {
    fc.assert(
      fc.property(template, template, person, person, verb, noun, (t, u, [s, own], [s2, own2], v, n) => {
        const base = t(s!, v, own!, n);
        expect(strict(base, base)).toEqual({ ok: true });
        expect(strict(base, u(s!, v, own!, n))).toEqual({ ok: true });
        expect(strict(base, u(s2!, v, own2!, n))).toEqual({ ok: true });
        expect(strict(base, u(s!, v, "the", n))).toEqual({ ok: true });
      }),
      { numRuns: 300 },
    );
  });
});
