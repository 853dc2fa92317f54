import { COMMON_WORDS } from "./common-words.js";
import { isNumberWord } from "./numbers.js";
import type { GuardRule } from "./rule.js";
import { comparable, type GuardText, type Token } from "./text.js";

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

/** The nearest anchor from `start` going `step` (±1), within the window and the same sentence. */
function nearest(tokens: readonly Token[], start: number, step: 1 | -1): Token | undefined {
  const sentence = tokens[start - step]!.sentence;
  for (let i = start, n = 0; i >= 0 && i < tokens.length && n < WINDOW; i += step, n++) {
    const t = tokens[i]!;
    if (t.sentence !== sentence) return undefined;
    if (isAnchor(t)) return t;
  }
  return undefined;
}

/** A capitalized word, an acronym or a number. */
function isName(t: Token): boolean {
  return /^[\p{Lu}\d]/u.test(t.text);
}

function firstPosition(text: GuardText, form: string): number {
  return text.tokens.findIndex((t) => comparable(t.text) === form);
}

/** The first pair "A <direction> B" of `a` whose A and B both occur in `b`, in the opposite order. */
function swapped(a: GuardText, b: GuardText): string | undefined {
  for (const d of a.tokens) {
    if (!DIRECTION.has(d.lower)) continue;
    const left = nearest(a.tokens, d.index - 1, -1);
    const right = nearest(a.tokens, d.index + 1, 1);
    if (!left || !right) continue;
    if (WEAK.has(d.lower) && !(isName(left) && isName(right))) {
      const before = a.tokens.slice(0, d.index).filter((t) => t.sentence === d.sentence);
      if (!before.some((t) => CHANGE.test(t.lower))) continue;
    }
    const l = comparable(left.text);
    const r = comparable(right.text);
    if (l === r) continue;
    const lb = firstPosition(b, l);
    const rb = firstPosition(b, r);
    if (lb >= 0 && rb >= 0 && rb < lb) return `"${left.text} ${d.text} ${right.text}"`;
  }
  return undefined;
}

/**
 * Swapped order: the same two things on either side of a direction word, the other way round.
 * "from MySQL to PostgreSQL" vs "from PostgreSQL to MySQL", "convert Celsius to Fahrenheit" vs
 * "convert Fahrenheit to Celsius", "is Python faster than Java" vs "is Java faster than Python".
 * Symmetric words ("and", "or", "vs", "between") are not directions: "MySQL vs PostgreSQL" passes.
 */
export const order: GuardRule = {
  name: "order",
  check(question, candidate) {
    const pair = swapped(question, candidate) ?? swapped(candidate, question);
    return pair && `order differs (${pair} is the other way round in the other question)`;
  },
};
