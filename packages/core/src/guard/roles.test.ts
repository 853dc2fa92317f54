import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGuard, defaultGuard } from "../guard.js";
import { roles } from "./roles.js";
import { analyze } from "./text.js";

const check = (q: string, c: string) => roles.check(analyze(q), analyze(c));

/** [question, candidate] pairs the rule refuses on its own. */
const refused: Array<[string, string]> = [
  ["Does the dog chase the cat?", "Does the cat chase the dog?"],
  ["Can a landlord evict a tenant without notice?", "Can a tenant evict a landlord without notice?"],
  ["Why does India hate Pakistan?", "Why does Pakistan hate India?"],
  ["What does India think of Pakistan?", "What does Pakistan think of India?"],
  ["Can an employee sue an employer?", "Can an employer sue an employee?"],
  ["Why do dogs chase cats?", "Why does the cat chase the dog?"],
  ["Does Google own YouTube?", "Does YouTube own Google?"],
  // The passive, read with its agent: "the dog was chased by the cat" is the cat chasing.
  ["Does the dog chase the cat?", "Was the dog chased by the cat?"],
  ["Is the cat chased by the dog?", "Is the dog chased by the cat?"],
  ["Does the dog bite the man?", "Was the dog bitten by the man?"],
  ["Does the company pay the worker?", "Is the company paid by the worker?"],
];

/** Pairs the rule lets pass, with why. */
const passed: Array<[why: string, question: string, candidate: string]> = [
  ["coordination", "Do cats and dogs get along?", "Do dogs and cats get along?"],
  ["'or'", "Who is smarter, cats or dogs?", "Who is smarter, dogs or cats?"],
  ["'vs'", "Cats vs dogs as pets?", "Dogs vs cats as pets?"],
  ["symmetric verb", "Did Romeo marry Juliet?", "Did Juliet marry Romeo?"],
  ["symmetric verb", "Where did Lennon meet McCartney?", "Where did McCartney meet Lennon?"],
  ["symmetric relation", "Is tea similar to coffee?", "Is coffee similar to tea?"],
  ["'between'", "What is the difference between tea and coffee?", "How do coffee and tea differ?"],
  ["passive, same agent", "Does the dog chase the cat?", "Is the cat chased by the dog?"],
  ["passive, same agent", "Can a landlord evict a tenant?", "Can a tenant be evicted by a landlord?"],
  ["'by' that names no agent", "How do I get to Paris by train?", "Can I travel to Paris by train?"],
  ["copula", "Is the Amazon the largest river?", "Is the largest river the Amazon?"],
  ["direction words are the order rule's", "Is Python faster than Java?", "Is Java faster than Python?"],
  ["a clause moved", "Where in Germany can I study medicine?", "Where can I study medicine in Germany?"],
  ["same roles", "Does the dog chase the cat?", "Why do dogs chase cats?"],
  ["other verbs", "Does the dog chase the cat?", "Does the cat bite the dog?"],
];

describe("roles", () => {
  it.each(refused)("refuses %j for %j", (q, c) => {
    expect(check(q, c), `${q} | ${c}`).toMatch(/^roles swapped \(".+" vs ".+"\)$/);
    expect(check(c, q), `${c} | ${q}`).toBeDefined();
    expect(defaultGuard(q, c).ok).toBe(false);
  });

  it.each(passed)("lets it pass (%s): %j / %j", (_why, q, c) => {
    expect(check(q, c), `${q} | ${c}`).toBeUndefined();
    expect(check(c, q), `${c} | ${q}`).toBeUndefined();
  });

  it("names both sides as written", () => {
    expect(check("Does the dog chase the cat?", "Does the cat chase the dog?")).toBe(
      'roles swapped ("dog chase the cat" vs "cat chase the dog")',
    );
  });

  const role = fc.constantFrom(
    "dog",
    "cat",
    "landlord",
    "tenant",
    "doctor",
    "patient",
    "lawyer",
    "client",
    "thief",
    "parent",
    "child",
    "farmer",
    "customer",
    "lion",
    "zebra",
    "neighbour",
  );
  /** A verb and its past participle. */
  const verb = fc.constantFrom(
    ["chase", "chased"],
    ["bite", "bitten"],
    ["sue", "sued"],
    ["hire", "hired"],
    ["evict", "evicted"],
    ["pay", "paid"],
    ["blame", "blamed"],
    ["trust", "trusted"],
    ["watch", "watched"],
    ["feed", "fed"],
    ["ignore", "ignored"],
    ["attack", "attacked"],
  );
  const template = fc.constantFrom(
    (a: string, v: string, b: string) => `Does the ${a} ${v} the ${b}?`,
    (a: string, v: string, b: string) => `Why would a ${a} ${v} a ${b}?`,
    (a: string, v: string, b: string) => `Can a ${a} ${v} a ${b} without a reason?`,
    (a: string, v: string, b: string) => `How often does the ${a} ${v} the ${b} at night?`,
  );
  const twoRoles = fc.uniqueArray(role, { minLength: 2, maxLength: 2 });
  const guard = createGuard();

  it("refuses the role-swapped variant of any templated question, active or passive", () => {
    fc.assert(
      fc.property(template, verb, twoRoles, (t, [v, done], [a, b]) => {
        const base = t(a!, v!, b!);
        const swapped = t(b!, v!, a!);
        expect(check(base, swapped), `${base} | ${swapped}`).toBeDefined();
        expect(guard(base, swapped).ok).toBe(false);
        expect(guard(swapped, base).ok).toBe(false);
        // "The a is <done> by the b" says that b acts on a.
        const passive = `Is the ${a} ${done} by the ${b}?`;
        expect(check(`Does the ${a} ${v} the ${b}?`, passive)).toBeDefined();
        expect(check(`Is the ${b} ${done} by the ${a}?`, passive)).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it("lets identity, coordination swaps, symmetric verbs and the passive pass", () => {
    fc.assert(
      fc.property(template, verb, twoRoles, (t, [v, done], [a, b]) => {
        const base = t(a!, v!, b!);
        expect(guard(base, base)).toEqual({ ok: true });
        expect(guard(`Do ${a}s and ${b}s ${v} each other?`, `Do ${b}s and ${a}s ${v} each other?`)).toEqual({
          ok: true,
        });
        expect(guard(`Would a ${a} marry a ${b}?`, `Would a ${b} marry a ${a}?`)).toEqual({ ok: true });
        expect(check(`Does the ${a} ${v} the ${b}?`, `Is the ${b} ${done} by the ${a}?`)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
