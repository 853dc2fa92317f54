/**
 * The one reading of a question that every guard rule shares: word tokens with their case and
 * position, lower-cased forms, and a few derived sets. Computed once per text (small LRU).
 */

export interface Token {
  /** The word as written (curly apostrophes made straight, acronym dots dropped: "U.S." → "US"). */
  readonly text: string;
  readonly lower: string;
  /** First word of a sentence (after start, `.`, `?`, `!`, `;`, `:` or a line break). */
  readonly sentenceStart: boolean;
  /** Position among the words (punctuation not counted). */
  readonly index: number;
  /** Index of the sentence it belongs to. */
  readonly sentence: number;
  /** An emoji or a symbol ("🍄", "+", "→"), not a word or a number. */
  readonly symbol: boolean;
}

export interface GuardText {
  /** The text as given to the guard. */
  readonly text: string;
  /** The text with curly quotes straightened and acronym dots dropped. */
  readonly clean: string;
  /** Words in order (numbers like `3.11` or `1,000` are one token). */
  readonly tokens: readonly Token[];
  /** Lower-cased words joined by single spaces, padded with a space each side: `" how do i "`. */
  readonly padded: string;
  /** Lower-cased words. */
  readonly words: ReadonlySet<string>;
  /** Comparable forms (see `comparable`) of every word and of every two adjacent words joined. */
  readonly forms: ReadonlySet<string>;
  /**
   * True when letter case says nothing about names: no capitals at all, all capitals, or Title Case.
   * The entities rule then takes no names from this text (it still looks the other text's names up in it).
   */
  readonly caseless: boolean;
}

/** A keycap ("1️⃣"), a flag (two regional indicators), or an emoji with its modifiers and ZWJ parts ("👩🏽‍💻"). */
const EMOJI =
  "[0-9#*]\\uFE0F?\\u20E3|\\p{Regional_Indicator}{2}|\\p{Extended_Pictographic}[\\uFE0F\\u{1F3FB}-\\u{1F3FF}\\u{E0020}-\\u{E007F}]*(?:\\u200D\\p{Extended_Pictographic}[\\uFE0F\\u{1F3FB}-\\u{1F3FF}]*)*";
/** Letters with their combining marks (Devanagari, Thai vowel signs, decomposed accents), digits, and joiners. */
const WORD = "[\\p{L}\\p{M}\\p{N}\\u200C\\u200D]+(?:'[\\p{L}\\p{M}\\p{N}]+)*'?";
/**
 * Numbers with separators, emoji, words, any other symbol on its own ("+", "→", "€", "∑"), and
 * sentence boundaries. Emoji and symbols are tokens: they carry meaning ("Is 🍄 safe to eat?").
 */
const TOKEN = new RegExp(
  `\\p{N}+(?:[.,:]\\p{N}+)+(?!\\p{L})|${EMOJI}|${WORD}|\\p{S}\\uFE0F?|[.?!;:]+(?=\\s|$)|\\n`,
  "gu",
);
/** A token that is an emoji or a symbol rather than a word or a number. */
const SYMBOL = new RegExp(`^(?:${EMOJI}|\\p{S}\\uFE0F?)$`, "u");
const BOUNDARY = /^(?:[.?!;:]+|\n)$/;

/** Lower case, possessive and plural `s` dropped, dots removed: "Python's" → "python", "iPhones" → "iphone". */
export function comparable(word: string): string {
  let w = word
    .toLowerCase()
    .replace(/'s$|'$/, "")
    .replace(/\./g, "");
  if (w.length > 3 && w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  return w;
}

export function analyze(text: string): GuardText {
  const hit = memo.get(text);
  if (hit) return hit;
  const result = read(text);
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
  memo.set(text, result);
  return result;
}

const MEMO_SIZE = 1_024;
const memo = new Map<string, GuardText>();

function read(text: string): GuardText {
  const clean = text
    .normalize("NFC")
    .replace(/[\u2018\u2019\u02bc´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    // "U.S.A." → "USA", "e.g." → "eg" (so their dots do not end sentences).
    .replace(/\b(?:\p{L}\.){2,}/gu, (m) => m.replace(/\./g, ""));
  const tokens: Token[] = [];
  let sentenceStart = true;
  let sentence = 0;
  for (const [raw] of clean.matchAll(TOKEN)) {
    if (BOUNDARY.test(raw)) {
      if (!sentenceStart) sentence++;
      sentenceStart = true;
      continue;
    }
    tokens.push({
      text: raw,
      lower: raw.toLowerCase(),
      sentenceStart,
      index: tokens.length,
      sentence,
      symbol: SYMBOL.test(raw),
    });
    sentenceStart = false;
  }
  const forms = new Set<string>();
  tokens.forEach((t, i) => {
    forms.add(comparable(t.text));
    const next = tokens[i + 1];
    if (next) forms.add(comparable(t.text + next.text));
  });
  return {
    text,
    clean,
    tokens,
    padded: ` ${tokens.map((t) => t.lower).join(" ")} `,
    words: new Set(tokens.map((t) => t.lower)),
    forms,
    caseless: isCaseless(tokens),
  };
}

function isCaseless(tokens: readonly Token[]): boolean {
  const words = tokens.filter((t) => /\p{L}{2,}/u.test(t.text));
  if (words.length === 0) return true;
  const capitalized = words.filter((t) => /^\p{Lu}/u.test(t.text)).length;
  const lower = words.filter((t) => !/\p{Lu}/u.test(t.text)).length;
  if (capitalized === 0) return true;
  if (lower === 0) return words.length > 1 || words[0]!.text === words[0]!.text.toUpperCase();
  // Title Case: most words of four or more start with a capital.
  return words.length >= 4 && capitalized / words.length >= 0.7;
}

/** True when `phrase` (lower-case words separated by spaces) occurs as whole words in the text. */
export function hasPhrase(text: GuardText, phrase: string): boolean {
  return phrase.includes(" ") ? text.padded.includes(` ${phrase} `) : text.words.has(phrase);
}

/** `clean` in lower case, computed once per text (dates, units and identifiers search it). */
export const lowerCleanOf = perText((text) => text.clean.toLowerCase());

/** Wraps a per-text reading so it is computed once per analyzed text (texts are memoized above). */
export function perText<R>(read: (text: GuardText) => R): (text: GuardText) => R {
  const cache = new WeakMap<GuardText, R>();
  return (text) => {
    if (cache.has(text)) return cache.get(text)!;
    const value = read(text);
    cache.set(text, value);
    return value;
  };
}
