import type { GuardRule } from "./rule.js";
import { perText } from "./text.js";

/** Words that negate on their own. Contractions (`can't`, `doesn't`) are found by their `n't`. */
const NEGATORS = new Set([
  "not",
  "no",
  "never",
  "none",
  "nobody",
  "nothing",
  "nowhere",
  "neither",
  "nor",
  "without",
  "cannot",
  // "Why am I unable to sleep?" = "Why can't I sleep?".
  "unable",
  // "non-Indian", "non-profit".
  "non",
  "ain't",
  // Contractions typed without the apostrophe.
  "cant",
  "dont",
  "doesnt",
  "didnt",
  "isnt",
  "arent",
  "wasnt",
  "werent",
  "havent",
  "hasnt",
  "hadnt",
  "wont",
  "wouldnt",
  "shouldnt",
  "couldnt",
  "mustnt",
  "neednt",
]);

/** Phrases where a negator does not negate the question ("… or not?", "no matter", "not only"). */
const NOT_NEGATING = [
  "why or why not",
  "or not",
  "whether or not",
  "if not",
  "not only",
  "no matter",
  "no doubt",
  "yes or no",
  "no or yes",
  "nothing but",
];

/** The negators of a text, in order, with the non-negating phrases taken out. */
export const negators = perText((text): string[] => {
  let padded = text.padded;
  for (const phrase of NOT_NEGATING) padded = padded.replaceAll(` ${phrase} `, " ");
  // "No. 1", "no 5": the abbreviation of "number".
  padded = padded.replace(/ no (?=\d)/g, " ");
  return padded.split(" ").filter((w) => w.length > 0 && (NEGATORS.has(w) || w.endsWith("n't")));
});

/**
 * Negation: one text is negated and the other is not. "Can I …" vs "Can't I …", "with" vs "without",
 * "is it safe" vs "is it not safe". Both negated (with other words) passes: "why can't I" ≈ "why am I unable".
 */
export const negation: GuardRule = {
  name: "negation",
  check(question, candidate) {
    const q = negators(question);
    const c = negators(candidate);
    if (q.length > 0 === c.length > 0) return undefined;
    return `negation differs (${q.length ? `"${q.join(", ")}"` : "none"} vs ${c.length ? `"${c.join(", ")}"` : "none"})`;
  },
};
