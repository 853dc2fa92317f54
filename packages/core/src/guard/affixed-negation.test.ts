import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGuard, defaultGuard } from "../guard.js";
import { affixedNegation } from "./affixed-negation.js";
import { analyze } from "./text.js";

const check = (q: string, c: string) => affixedNegation.check(analyze(q), analyze(c));

/** [question, candidate] pairs the rule refuses on its own. */
const refused: Array<[string, string]> = [
  ["Is it safe to eat raw chicken?", "Is it unsafe to eat raw chicken?"],
  ["Is it possible to travel back in time?", "Is it impossible to travel back in time?"],
  ["Is it legal to record a phone call?", "Is it illegal to record a phone call?"],
  ["Why is my heartbeat regular?", "Why is my heartbeat irregular?"],
  ["Why do cats like water?", "Why do cats dislike water?"],
  ["Am I able to change my flight?", "Am I unable to change my flight?"],
  ["Is a history degree useful?", "Is a history degree useless?"],
  ["Why is my account active?", "Why is my account inactive?"],
  ["Is it a profit organization?", "Is it a nonprofit organization?"],
  ["Is this behaviour logical?", "Is this behaviour illogical?"],
  ["What makes a person responsible?", "What makes a person irresponsible?"],
  ["Why are cats so harmful to birds?", "Why are cats so harmless to birds?"],
];

/** Pairs the rule lets pass, with why. */
const passed: Array<[why: string, question: string, candidate: string]> = [
  ["both derived", "Is it unsafe to eat raw chicken?", "Is raw chicken unsafe to eat?"],
  ["stem negated by a word", "Is it unsafe to eat raw chicken?", "Is it not safe to eat raw chicken?"],
  [
    "'least painful' is 'painless'",
    "What is the least painful way to die?",
    "What is a painless way to die?",
  ],
  ["both sides asked", "Is it safe or unsafe to fly?", "Is it safe to fly?"],
  ["stem not in the other text", "How do I understand physics?", "How can I learn physics?"],
  ["'important' is no negation", "Is it important to vote?", "Why is voting important?"],
  ["'display' is not 'not play'", "How do I display a video?", "How do I play a video?"],
  ["'discover' is not 'not cover'", "How did Columbus discover America?", "What did Columbus cover?"],
  ["'interest' has no stem here", "How do I discuss my interest?", "How do I talk about my interest?"],
  ["'invaluable' is very valuable", "Why is water invaluable?", "Why is water so valuable?"],
  ["'input' is not 'in' + 'put'", "How do I put text in the input?", "How do I put text in a field?"],
  ["'unless' is no 'un-'", "Can I stay unless it rains?", "Can I stay if it rains less?"],
  ["'unable' / 'can't' is the negation rule's", "Why am I unable to sleep?", "Why can't I sleep?"],
];

describe("affixedNegation", () => {
  it.each(refused)("refuses %j for %j", (q, c) => {
    expect(check(q, c), `${q} | ${c}`).toMatch(/^negated by an affix \(".+" \/ ".+"\)$/);
    expect(check(c, q), `${c} | ${q}`).toBeDefined();
    expect(defaultGuard(q, c).ok).toBe(false);
  });

  it.each(passed)("lets it pass (%s): %j / %j", (_why, q, c) => {
    expect(check(q, c), `${q} | ${c}`).toBeUndefined();
    expect(check(c, q), `${c} | ${q}`).toBeUndefined();
  });

  it("names the derived word and its stem", () => {
    expect(check("Is it safe to eat raw chicken?", "Is it unsafe to eat raw chicken?")).toBe(
      'negated by an affix ("unsafe" / "safe")',
    );
    expect(check("Is a degree useful?", "Is a degree useless?")).toBe(
      'negated by an affix ("useless" / "useful")',
    );
  });

  /** [stem, negative derivation]: adjectives and verbs the templates negate. */
  const derived = fc.constantFrom(
    ["safe", "unsafe"],
    ["possible", "impossible"],
    ["legal", "illegal"],
    ["regular", "irregular"],
    ["active", "inactive"],
    ["fair", "unfair"],
    ["honest", "dishonest"],
    ["correct", "incorrect"],
    ["visible", "invisible"],
    ["mature", "immature"],
    ["responsible", "irresponsible"],
    ["stable", "unstable"],
    ["complete", "incomplete"],
    ["polite", "impolite"],
    ["comfortable", "uncomfortable"],
    ["relevant", "irrelevant"],
    ["reliable", "unreliable"],
    ["useful", "useless"],
    ["harmful", "harmless"],
  );
  const noun = fc.constantFrom(
    "dog",
    "car",
    "phone",
    "coffee",
    "bread",
    "garden",
    "laptop",
    "teacher",
    "bridge",
  );
  const verb = fc.constantFrom("buy", "keep", "clean", "sell", "build", "fix", "paint", "watch");
  const template = fc.constantFrom(
    (adj: string, n: string, v: string) => `Is it ${adj} to ${v} a ${n}?`,
    (adj: string, n: string) => `Why is my ${n} ${adj}?`,
    (adj: string, n: string, v: string) => `Is a ${adj} ${n} easy to ${v}?`,
    (adj: string, n: string) => `What makes a ${n} ${adj}?`,
  );
  const guard = createGuard();

  it("refuses the affix-negated variant of any templated question", () => {
    fc.assert(
      fc.property(template, derived, noun, verb, (t, [stem, neg], n, v) => {
        const base = t(stem!, n, v);
        const negated = t(neg!, n, v);
        expect(check(base, negated), `${base} | ${negated}`).toBeDefined();
        expect(guard(base, negated).ok).toBe(false);
        expect(guard(negated, base).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("lets identity, both negated, and the stem negated by a word pass", () => {
    fc.assert(
      fc.property(template, derived, noun, verb, (t, [stem, neg], n, v) => {
        const base = t(stem!, n, v);
        const negated = t(neg!, n, v);
        expect(guard(base, base)).toEqual({ ok: true });
        // Both negated, reworded.
        expect(guard(negated, `${negated.slice(0, -1)}, really?`)).toEqual({ ok: true });
        // "unsafe" / "not safe" says the same (the negation rule still compares "not" on its own).
        expect(check(negated, t(`not ${stem}`, n, v))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
