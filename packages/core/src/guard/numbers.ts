import { difference, type GuardRule, list } from "./rule.js";
import { perText, type Token } from "./text.js";

const SMALL: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
/** Ordinals from "third" on ("first" and "second" are too often not counts: "at first", "a second"). */
const ORDINALS: Record<string, number> = {
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
};
const SCALES: Record<string, number> = {
  hundred: 100,
  thousand: 1e3,
  lakh: 1e5,
  million: 1e6,
  crore: 1e7,
  billion: 1e9,
  trillion: 1e12,
};

/** True for words that spell a number or a part of one ("twenty", "hundred"). */
export function isNumberWord(word: string): boolean {
  return word in SMALL || word in SCALES;
}

/** "1,000" → "1000", "007" → "7", "1.5" → "1.5", "3:00" → "3", "3:30" → "3:30". */
function canonical(digits: string): string[] {
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(digits)) digits = digits.replace(/,/g, "");
  if (/^\d+:\d{2}$/.test(digits)) {
    const [h, m] = digits.split(":");
    return [m === "00" ? String(Number(h)) : `${Number(h)}:${m}`];
  }
  return digits.split(/[,:]/).map((d) => d.replace(/^0+(?=\d)/, ""));
}

/** A number written in words starting at `tokens[i]`: its value and how many tokens it took. */
function wordNumber(tokens: readonly Token[], i: number): { value: number; length: number } | undefined {
  let total = 0;
  let current = 0;
  let j = i;
  let words = 0;
  for (; j < tokens.length; j++) {
    const w = tokens[j]!.lower.replace(/-/g, "");
    if (w in SMALL) {
      current += SMALL[w]!;
    } else if (w in SCALES) {
      // "thousands", "several thousand": a scale without a count is no number.
      if (j === i) break;
      const scale = SCALES[w]!;
      if (scale === 100) current = (current || 1) * 100;
      else {
        total += (current || 1) * scale;
        current = 0;
      }
    } else if (
      (w === "a" || w === "an") &&
      j === i &&
      tokens[j + 1]?.lower &&
      tokens[j + 1]!.lower in SCALES
    ) {
      current = 1;
      words--;
    } else if (w === "and" && j > i && tokens[j + 1] && isNumberWord(tokens[j + 1]!.lower)) {
      words--;
    } else break;
    words++;
  }
  // A lone "one" is a pronoun more often than a count ("which one is better?").
  if (words === 0 || (words === 1 && tokens[i]!.lower === "one")) return undefined;
  return { value: total + current, length: j - i };
}

/**
 * The numbers of a text as canonical strings: digits (`1,000` = `1000`), digits inside words
 * (`iPhone6`, `5GB`, `10k` = 10000), and numbers in words (`twenty five`, `two million`, `a hundred`).
 */
export const numbersOf = perText((text): Set<string> => {
  const out = new Set<string>();
  const tokens = text.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (/^\d[\d.,:]*$/.test(t.text)) {
      const scale = SCALES[tokens[i + 1]?.lower ?? ""];
      if (scale && /^\d+(?:\.\d+)?$/.test(t.text)) {
        out.add(String(Number(t.text) * scale));
        i++;
      } else for (const n of canonical(t.text)) out.add(n);
    } else if (/\d/.test(t.text)) {
      const thousands = /^(\d+(?:\.\d+)?)k$/i.exec(t.text);
      if (thousands) out.add(String(Number(thousands[1]) * 1000));
      else for (const [d] of t.text.matchAll(/\d+(?:\.\d+)?/g)) for (const n of canonical(d)) out.add(n);
    } else {
      const spelled = wordNumber(tokens, i);
      if (t.lower in ORDINALS) out.add(String(ORDINALS[t.lower]));
      else if (spelled) {
        out.add(String(spelled.value));
        i += spelled.length - 1;
      }
    }
  }
  return out;
});

/** Numbers: "5 users" vs "6 users", "two" vs "three" ("two" = "2"), "1,000" vs "10,000". */
export const numbers: GuardRule = {
  name: "numbers",
  check(question, candidate) {
    const diff = difference(numbersOf(question), numbersOf(candidate));
    return diff && `numbers differ (${list(diff[0])} vs ${list(diff[1])})`;
  },
};
