import { negators } from "./negation.js";
import type { GuardRule } from "./rule.js";
import { comparable, type GuardText, perText } from "./text.js";

/** Negative prefixes and the shortest stem each may take ("unfit": 3, "inept" is not "in" + "ept"). */
const PREFIXES: ReadonlyArray<readonly [prefix: string, minStem: number]> = [
  ["non", 3],
  ["dis", 3],
  ["un", 3],
  ["in", 4],
  ["im", 4],
  ["ir", 4],
  ["il", 4],
];

/**
 * Words that look derived but do not negate their stem: "display" is not "not play", "invaluable"
 * is very valuable, "inflammable" is flammable. Only words whose stem is a word of its own matter
 * (the stem must occur in the other text), so this stays short.
 */
const NOT_NEGATIVE = new Set(
  `
display discover discount dispatch dissolve disease discharge dismiss distract dissent disposition
dispose discuss distend dismantle disband disclose disgrace
inform information insight install invest income indoor inside input intend invent intake inbox
insure index indeed intense intent indent invaluable inflammable instance instill inset inlet inland
inborn inbound invoice instead inward infest invert inmate inflow induct inspire intone increase
inline inverse interest intern inquest innate
improve impress import impose implant impart imprint impound impair impeach impend immigrant
immigrate impact imply image impale impassion
unless unit union unite unto until
`
    .split(/\s+/)
    .filter(Boolean),
);

/** `-less` words that are not "without": "unless", "regardless", "nevertheless". */
const NOT_WITHOUT = new Set(["unless", "regardless", "nevertheless", "nonetheless", "bless", "less"]);

/** A stem and the forms of it that count as present: the word itself and, for "-less", "-ful". */
interface Derivation {
  word: string;
  stems: string[];
}

/** The ways a word may be a negative derivation: "unsafe" → safe, "useless" → use, useful. */
function derivations(word: string): Derivation[] {
  const out: Derivation[] = [];
  if (!/^\p{L}+$/u.test(word) || NOT_NEGATIVE.has(word)) return out;
  for (const [prefix, minStem] of PREFIXES) {
    if (word.length - prefix.length < minStem || !word.startsWith(prefix)) continue;
    const stem = word.slice(prefix.length);
    // "im-" goes before b, m, p; "ir-" before r; "il-" before l ("impossible", "irregular",
    // "illegal"); "in-" before the rest ("input", "inline" are not negations).
    if (prefix === "in" && /^[bmplr]/.test(stem)) continue;
    if (prefix === "im" && !/^[bmp]/.test(stem)) continue;
    if (prefix === "ir" && !stem.startsWith("r")) continue;
    if (prefix === "il" && !stem.startsWith("l")) continue;
    out.push({ word, stems: [stem] });
  }
  if (word.endsWith("less") && word.length >= 7 && !NOT_WITHOUT.has(word)) {
    const stem = word.slice(0, -4);
    out.push({ word, stems: [stem, `${stem}ful`] });
  }
  return out;
}

/** Comparable forms of a text's words, each once. */
const wordsOf = perText((text): Set<string> => new Set(text.tokens.map((t) => comparable(t.text))));

/** Words that, before a stem, say what its negative derivation says: "least painful" ≈ "painless". */
const LESSENING = ["least", "less", "hardly", "barely"];

/**
 * True when `stem` occurs in the text negated already: "not safe", "isn't really safe", "least
 * painful". Then "unsafe" or "painless" on the other side says the same.
 */
function negatedThere(text: GuardText, stem: string): boolean {
  const neg = new Set([...negators(text), ...LESSENING]);
  return text.tokens.some(
    (t, i) =>
      comparable(t.text) === stem &&
      text.tokens.slice(Math.max(0, i - 3), i).some((p) => neg.has(p.lower) && p.sentence === t.sentence),
  );
}

/**
 * The words of `text` that negate a word of `other` by an affix, as `"unsafe" (safe)`: "unsafe"
 * where the other says "safe", "impossible" / "possible", "useless" / "useful". A derived word the
 * other text also has, a stem the text itself also has ("safe or unsafe"), and a stem the other
 * text negates with a word ("not safe") do not count.
 */
function negatedStems(text: GuardText, other: GuardText): string[] {
  const mine = wordsOf(text);
  const theirs = wordsOf(other);
  const out: string[] = [];
  for (const word of mine) {
    if (theirs.has(word)) continue;
    for (const d of derivations(word)) {
      const stem = d.stems.find((s) => theirs.has(s) && !mine.has(s));
      if (stem && !negatedThere(other, stem)) {
        out.push(`"${word}" / "${stem}"`);
        break;
      }
    }
  }
  return out;
}

/**
 * Affixed negation: a word in one text negates a word of the other by a prefix or a suffix.
 * "Is it safe to eat raw chicken?" / "Is it unsafe to eat raw chicken?", "possible" /
 * "impossible", "legal" / "illegal", "regular" / "irregular", "like" / "dislike", "useful" /
 * "useless", "active" / "inactive", "profit" / "nonprofit". The `negation` rule sees only negating
 * words ("not", "non-"); this sees the ones glued to the word.
 *
 * The stem must be a word of the other text, so "understand", "important", "display" never
 * count: their "stems" are not words the other text has. Passes: the derived word on both sides
 * ("unsafe" / "unsafe"), both sides of one text ("safe or unsafe" / "safe"), the stem negated with
 * a word on the other side ("unsafe" / "not safe"), and words that only look derived
 * ("invaluable", "inflammable", "discover" / "cover").
 */
export const affixedNegation: GuardRule = {
  name: "affixedNegation",
  check(question, candidate) {
    const found = [...negatedStems(question, candidate), ...negatedStems(candidate, question)];
    return found.length > 0 ? `negated by an affix (${found.join(", ")})` : undefined;
  },
};
