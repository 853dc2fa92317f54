import { COMMON_WORDS } from "./common-words.js";
import { datesOf } from "./dates.js";
import { isNumberWord } from "./numbers.js";
import { difference, type GuardRule, list } from "./rule.js";
import { comparable, type GuardText, perText, type Token } from "./text.js";
import { isUnitWord } from "./units.js";

/** Names written in more than one way, in `comparable` form. */
const ALIASES: string[][] = [
  ["us", "usa", "america", "unitedstate"],
  ["uk", "britain", "unitedkingdom", "greatbritain"],
  ["nyc", "newyork"],
  ["js", "javascript"],
  ["ts", "typescript"],
  ["ai", "artificialintelligence"],
  ["ml", "machinelearning"],
  ["fb", "facebook"],
  ["tv", "television"],
  ["k8", "kubernete"],
  ["postgre", "postgresql", "postgres"],
];
const ALIAS = new Map<string, string[]>();
for (const group of ALIASES) for (const name of group) ALIAS.set(name, group);

/** "I", "I'm", "I've", "I'd", "I'll": capitalized by rule, not names. */
const FIRST_PERSON = /^I(?:'(?:m|ve|d|ll))?$/;

/**
 * The names in a text: capitalized words that are not common words ("Python", "Paris", "McDonald's",
 * "iPhone", "NASA"). A capitalized word at a sentence start counts only if it is not a common word
 * and not written in lower case elsewhere in the text. A text whose case says nothing (all lower,
 * all upper, Title Case) has no names.
 */
export const entitiesOf = perText((text): Token[] => {
  if (text.caseless) return text.tokens.filter(isModelCode);
  const dates = datesOf(text);
  const lowerElsewhere = new Set(text.tokens.filter((t) => !/\p{Lu}/u.test(t.text)).map((t) => t.lower));
  return text.tokens.filter((t) => {
    if (isModelCode(t)) return true;
    if (!/\p{Lu}/u.test(t.text) || /\d/.test(t.text) || FIRST_PERSON.test(t.text)) return false;
    const word = t.lower.replace(/'s$|'$/, "");
    if (word.length < 2 || COMMON_WORDS.has(word) || COMMON_WORDS.has(t.lower)) return false;
    if (isNumberWord(word) || dates.has(word) || isUnitWord(word)) return false;
    // Long "-ly" words are adverbs ("Literally"), "-ing" words verbs or nouns ("Smoking", "Loading").
    if ((word.length >= 7 && word.endsWith("ly")) || (word.length >= 6 && word.endsWith("ing"))) return false;
    // A sentence start is capitalized anyway: only acronyms and inner capitals ("NASA", "iPhone") count there.
    if (t.sentenceStart && !/\p{Lu}/u.test(t.text.slice(1))) return false;
    if (t.sentenceStart && lowerElsewhere.has(t.lower)) return false;
    return true;
  });
});

/**
 * Letters and digits mixed into one name: model numbers and formulas ("H2S", "WN725N", "GTX1080",
 * "B12"), whatever their case. Not a number with a unit, an ordinal or a decade ("5GB", "3rd",
 * "1990s", "10k", "3pm"): the units, numbers and dates rules read those.
 */
function isModelCode(t: Token): boolean {
  return /\p{L}/u.test(t.text) && /\d/.test(t.text) && !/^\d+(?:\.\d+)?\p{L}{0,4}$/u.test(t.text);
}

/** Endings that make a people or a language of a place: India → Indian, Pakistan → Pakistani, Japan → Japanese. */
const DEMONYM = /^(?:n|i|an|ian|ese|ish|ic)$/;

/** Edit distance of two words, stopping early past `max`. */
function withinEdits(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    if (Math.min(...row) > max) return false;
    previous = row;
  }
  return previous[b.length]! <= max;
}

/** True when two comparable forms name the same thing: equal, a typo apart, or a place and its people. */
function sameName(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (
    short.length >= 4 &&
    long.startsWith(short.replace(/[aeiouy]$/, "")) &&
    DEMONYM.test(long.slice(short.replace(/[aeiouy]$/, "").length))
  ) {
    return true;
  }
  // Misspellings of long names ("Deloitte" / "delloite"), same first letter.
  if (short.length >= 6 && a[0] === b[0]) return withinEdits(a, b, short.length >= 9 ? 2 : 1);
  return false;
}

/** True when `other` mentions `name` (case, possessive, plural, typos and aliases aside; "Play Station" = "PlayStation"). */
function mentions(other: GuardText, name: Token): boolean {
  const form = comparable(name.text);
  if (other.forms.has(form)) return true;
  if ((ALIAS.get(form) ?? []).some((alias) => other.forms.has(alias))) return true;
  // Model codes match exactly: "WN725N" and "WN725G" are different devices, not a typo.
  if (/\d/.test(form)) return false;
  for (const candidate of other.forms) if (sameName(form, candidate)) return true;
  return false;
}

/**
 * Named entities: a name in one text that the other does not mention. "learn Python" vs "learn Java",
 * "flights to Paris" vs "flights to Rome". Case, possessives and plurals do not matter
 * ("Python's" = "python"), so lower-case typing of the same name passes.
 */
export const entities: GuardRule = {
  name: "entities",
  check(question, candidate) {
    const onlyQ = entitiesOf(question).filter((n) => !mentions(candidate, n));
    const onlyC = entitiesOf(candidate).filter((n) => !mentions(question, n));
    if (onlyQ.length === 0 && onlyC.length === 0) return undefined;
    const names = (ts: Token[]) => list(new Set(ts.map((t) => t.text)));
    return `named entities differ (${names(onlyQ)} vs ${names(onlyC)})`;
  },
};

const VERSION = /^v?\d+(?:\.\d+)*$/i;
/** A name joined to its version: "Python3", "iPhone6", "ES2015", "GPT-4" (after tokenizing: "GPT", "4"). */
const JOINED = /^(\p{L}[\p{L}+#]*?)v?(\d+(?:\.\d+)*)$/iu;

/** A capitalized word inside a sentence, not a common word: "Python", "iPhone", "Windows". */
function isName(t: Token): boolean {
  return (
    /\p{Lu}/u.test(t.text) && !t.sentenceStart && !COMMON_WORDS.has(t.lower) && !FIRST_PERSON.test(t.text)
  );
}

/** Versions by the name they belong to: `{ python: ["3.11"] }`. */
export const versionsOf = perText((text): Map<string, Set<string>> => {
  const out = new Map<string, Set<string>>();
  const add = (name: string, version: string) => {
    const key = comparable(name);
    if (!out.has(key)) out.set(key, new Set());
    out.get(key)!.add(version.replace(/^v/i, ""));
  };
  const tokens = text.tokens;
  tokens.forEach((t, i) => {
    const next = tokens[i + 1];
    if (next && VERSION.test(next.text) && (isName(t) || /\.\d/.test(next.text) || /^v\d/i.test(next.text))) {
      add(t.text, next.text);
    }
    const joined = JOINED.exec(t.text);
    if (joined && /\p{L}{2,}/u.test(joined[1]!)) add(joined[1]!, joined[2]!);
  });
  return out;
});

/** Versions: the same product with another version ("Python 3.11" vs "Python 3.12", "iPhone 6" vs "iPhone 7"). */
export const versions: GuardRule = {
  name: "versions",
  check(question, candidate) {
    const q = versionsOf(question);
    const c = versionsOf(candidate);
    for (const [name, qv] of q) {
      const cv = c.get(name);
      const diff = cv && difference(qv, cv);
      if (diff) return `versions differ (${name} ${list(diff[0])} vs ${name} ${list(diff[1])})`;
    }
    return undefined;
  },
};
