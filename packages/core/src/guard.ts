/**
 * The guard: after a semantic candidate passes the similarity threshold, it must also carry the same
 * meaning-bearing details as the question. Embeddings place "How do I get from MySQL to PostgreSQL?"
 * right next to "How do I get from PostgreSQL to MySQL?"; the guard is what tells them apart.
 *
 * Each rule is a small named check of one kind of detail (in `./guard/`); the first rule that
 * objects refuses the candidate, and its reason goes into the `semantic-reject` event.
 */

import { assertOption } from "./errors.js";
import { affixedNegation } from "./guard/affixed-negation.js";
import { antonyms } from "./guard/antonyms.js";
import { dates } from "./guard/dates.js";
import { entities, versions } from "./guard/entities.js";
import { identifiers } from "./guard/identifiers.js";
import { negation } from "./guard/negation.js";
import { numbers } from "./guard/numbers.js";
import { order } from "./guard/order.js";
import { possessor } from "./guard/possessor.js";
import { questionWords } from "./guard/question-words.js";
import { roles } from "./guard/roles.js";
import type { GuardRule } from "./guard/rule.js";
import { symbols } from "./guard/symbols.js";
import { analyze } from "./guard/text.js";
import { units } from "./guard/units.js";

export type { GuardRule } from "./guard/rule.js";
export type { GuardText, Token as GuardToken } from "./guard/text.js";

export type GuardVerdict = { ok: true } | { ok: false; reason: string; rule?: string };

/** Decides whether a stored `candidate` question may answer `question`. */
export type SemanticGuard = (question: string, candidate: string) => GuardVerdict;

/**
 * The built-in rules. The default guard runs all but `questionWords` and `possessor`, in this order:
 * - `negation`: one side negated, the other not ("can I" / "can't I", "with" / "without").
 * - `antonyms`: opposite words (increase/decrease, enable/disable, buy/sell, upload/download, min/max…),
 *   or both in one question and one in the other ("pros and cons" / "pros").
 * - `affixedNegation`: a word negated by an affix ("safe" / "unsafe", "regular" / "irregular",
 *   "useful" / "useless", "profit" / "nonprofit").
 * - `dates`: weekdays, months, years, "tomorrow", "next week", "3pm".
 * - `units`: "5 GB" / "5 MB", "km" / "miles", "2 weeks" / "2 months", "$" / "€".
 * - `versions`: the same name with another version ("Python 3.11" / "Python 3.12").
 * - `numbers`: any other number, digits or words ("two" = "2").
 * - `identifiers`: code names (`useState`, `os.path.join`, `--force`, `/etc/hosts`).
 * - `symbols`: emoji and symbols ("🍄" / "🍎", "C++" / "C", "→" / "←").
 * - `entities`: a name in one question that the other does not mention ("Python" / "Java").
 * - `order`: the same two things around a direction word, swapped ("from MySQL to PostgreSQL").
 * - `roles`: the same two things around the same verb, swapped ("the dog chases the cat" / "the cat
 *   chases the dog", "a landlord evicts a tenant" / "a tenant evicts a landlord").
 *
 * Opt-in: `questionWords`, a question that opens with another kind of question word ("Why …" /
 * "Is …", "Where …" / "How …", "how many"). Sound, but on the QQP dev pairs it refused more
 * paraphrases than wrong matches, because people use "how"/"where"/"why" loosely.
 *
 * Opt-in: `possessor`, another possessor than the change of person explains ("How do I delete my
 * account?" / "How do I delete your account?"). On the QQP dev pairs at 0.97 it refused one pair
 * labelled the same ("How do I build my intuition?" / "… your intuition?") and no wrong match:
 * people write a generic "your" after "I".
 */
export const guardRules = {
  negation,
  antonyms,
  affixedNegation,
  dates,
  units,
  versions,
  numbers,
  identifiers,
  symbols,
  entities,
  order,
  roles,
  questionWords,
  possessor,
} as const satisfies Record<string, GuardRule>;

export type GuardRuleName = keyof typeof guardRules;

/** The rules `defaultGuard` runs, in order. */
export const DEFAULT_GUARD_RULES: readonly GuardRuleName[] = [
  "negation",
  "antonyms",
  "affixedNegation",
  "dates",
  "units",
  "versions",
  "numbers",
  "identifiers",
  "symbols",
  "entities",
  "order",
  "roles",
];

export interface GuardOptions {
  /** The rules to run, by name or as rule objects. Default: `DEFAULT_GUARD_RULES`. */
  rules?: Array<GuardRuleName | GuardRule>;
  /** Your own rules, run after `rules`. */
  extraRules?: GuardRule[];
}

/**
 * Builds a guard from rules. `createGuard()` is `defaultGuard`; `createGuard({ rules: ["numbers",
 * "negation"] })` keeps only those; `createGuard({ extraRules: [myRule] })` adds yours.
 */
export function createGuard(options: GuardOptions = {}): SemanticGuard {
  const rules = [...(options.rules ?? DEFAULT_GUARD_RULES), ...(options.extraRules ?? [])].map((rule) => {
    if (typeof rule === "string") {
      assertOption(
        rule in guardRules,
        `unknown guard rule "${rule}"; the rules are ${Object.keys(guardRules).join(", ")}`,
      );
      return guardRules[rule];
    }
    assertOption(
      typeof rule === "object" &&
        rule !== null &&
        typeof rule.name === "string" &&
        typeof rule.check === "function",
      "a guard rule is { name: string, check(question, candidate) }",
    );
    return rule;
  });
  return (question, candidate) => {
    if (question === candidate) return { ok: true };
    const q = analyze(question);
    const c = analyze(candidate);
    for (const rule of rules) {
      const reason = rule.check(q, c);
      if (reason) return { ok: false, reason, rule: rule.name };
    }
    return { ok: true };
  };
}

/** The guard a semantic cache uses unless told otherwise: the `DEFAULT_GUARD_RULES`. */
export const defaultGuard: SemanticGuard = createGuard();
