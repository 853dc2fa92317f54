import { COMMON_WORDS } from "./common-words.js";
import { isNumberWord } from "./numbers.js";
import type { GuardRule } from "./rule.js";
import { comparable, perText, type Token } from "./text.js";

/** Words that give the things on either side a direction: "from A to B", "A than B", "A before B". */
const DIRECTION = new Set([
  "to",
  "from",
  "into",
  "onto",
  "than",
  "before",
  "after",
  "over",
  "instead",
  "towards",
  "toward",
]);
/**
 * "to" is mostly an infinitive ("the best way to learn"): it is a direction only after "from" or a
 * verb of change or movement, or between two names or numbers ("USD to EUR").
 */
const WEAK = new Set(["to", "into", "onto", "towards", "toward"]);
const CHANGE =
  /^(?:from|convert|migrate|switch|move|port|transfer|translate|change|go|travel|fly|drive|upgrade|downgrade|shift|transition|send|export|import|map|cast|compare)/;
/** How far (in words) from the direction word its two sides are looked for. */
const WINDOW = 3;

/** Words that can stand on either side of a direction: not common words, or numbers. */
function isAnchor(t: Token): boolean {
  return (
    /\d/.test(t.text) || (!COMMON_WORDS.has(t.lower) && !isNumberWord(t.lower) && !DIRECTION.has(t.lower))
  );
}

/**
 * The nearest side of a direction word from `start` going `step` (±1), within the window and the
 * same sentence: the nearest name or number if there is one ("faster than Java": Java), else the
 * nearest anchor.
 */
function nearest(tokens: readonly Token[], start: number, step: 1 | -1): Token | undefined {
  const sentence = tokens[start - step]!.sentence;
  let anchor: Token | undefined;
  for (let i = start, n = 0; i >= 0 && i < tokens.length && n < WINDOW; i += step, n++) {
    const t = tokens[i]!;
    if (t.sentence !== sentence || DIRECTION.has(t.lower)) break;
    if (isAnchor(t) && isName(t)) return t;
    if (isAnchor(t)) anchor ??= t;
  }
  return anchor;
}

/** A capitalized word, an acronym or a number. */
function isName(t: Token): boolean {
  return /^[\p{Lu}\d]/u.test(t.text) && !t.sentenceStart;
}

interface Directed {
  from: string;
  to: string;
  /** As written: "MySQL to PostgreSQL". */
  text: string;
}

/** Every "A <direction> B" of a text, A and B in comparable form. */
const directedPairs = perText((text): Directed[] => {
  const out: Directed[] = [];
  for (const d of text.tokens) {
    if (!DIRECTION.has(d.lower)) continue;
    const left = nearest(text.tokens, d.index - 1, -1);
    const right = nearest(text.tokens, d.index + 1, 1);
    if (!left || !right) continue;
    if (WEAK.has(d.lower) && !(isName(left) && isName(right))) {
      const before = text.tokens.slice(0, d.index).filter((t) => t.sentence === d.sentence);
      if (!before.some((t) => CHANGE.test(t.lower))) continue;
    }
    const from = comparable(left.text);
    const to = comparable(right.text);
    if (from !== to) out.push({ from, to, text: `${left.text} ${d.text} ${right.text}` });
  }
  return out;
});

/**
 * Swapped order: the same two things on either side of a direction word, the other way round.
 * "from MySQL to PostgreSQL" vs "from PostgreSQL to MySQL", "convert Celsius to Fahrenheit" vs
 * "convert Fahrenheit to Celsius", "is Python faster than Java" vs "is Java faster than Python".
 * Both texts must say it with a direction word, each the other way round. Symmetric words ("and",
 * "or", "vs", "between") are not directions: "MySQL vs PostgreSQL" passes.
 */
export const order: GuardRule = {
  name: "order",
  check(question, candidate) {
    const q = directedPairs(question);
    const c = directedPairs(candidate);
    const has = (pairs: Directed[], from: string, to: string) =>
      pairs.some((p) => p.from === from && p.to === to);
    for (const p of q) {
      if (has(c, p.to, p.from) && !has(c, p.from, p.to)) {
        const other = c.find((x) => x.from === p.to && x.to === p.from)!;
        return `order differs ("${p.text}" vs "${other.text}")`;
      }
    }
    return undefined;
  },
};
