import { difference, type GuardRule, list } from "./rule.js";
import { perText } from "./text.js";

/** Question words that ask for one kind of answer: a person, a place, a time, a reason. */
const SPECIFIC = new Set(["who", "whom", "whose", "where", "when", "why"]);
/** "How" + a word that asks for an amount: "how many", "how much", "how long", "how old", "how far", "how often". */
const HOW_AMOUNT = /\bhow (many|much|long|old|far|often|big|tall)\b/g;
/** Tails that add no question of their own. */
const TAILS = /\b(?:why or why not|if so,? why|if not,? why not|if yes,? why)\b/g;

/**
 * What a text asks for: the specific question words that open one of its sentences ("Why …",
 * "Where …") and "how many/much/long/…" anywhere. "How"/"what"/"which" are interchangeable
 * ("How can I …" = "What is the best way to …") and not counted.
 */
export const questionKindsOf = perText((text): Set<string> => {
  const out = new Set<string>();
  const first = text.tokens[0];
  const word = first?.lower.replace(/'s$/, "") ?? "";
  if (SPECIFIC.has(word)) out.add(word === "whom" || word === "whose" ? "who" : word);
  const padded = text.padded.replace(TAILS, " ");
  for (const m of padded.matchAll(HOW_AMOUNT))
    out.add(m[1] === "many" || m[1] === "much" ? "how many/much" : `how ${m[1]}`);
  if (!/\bwhy\b/.test(padded)) out.delete("why");
  return out;
});

/** Question words: "Why is Africa poor?" vs "Is Africa poor?", "Where can I learn X" vs "How can I learn X". */
export const questionWords: GuardRule = {
  name: "questionWords",
  check(question, candidate) {
    const diff = difference(questionKindsOf(question), questionKindsOf(candidate));
    return diff && `asks for something else (${list(diff[0])} vs ${list(diff[1])})`;
  },
};
