import type { GuardRule } from "./rule.js";
import { type GuardText, hasPhrase, perText } from "./text.js";

/**
 * Pairs of words that flip the meaning of an otherwise identical question. Each side is a word
 * (its inflections are added: increase → increases, increased, increasing) or a phrase
 * ("turn on"). A word followed by `(…)` lists irregular forms.
 */
const PAIRS = `
increase/decrease increase/reduce raise/lower enable/disable buy(bought)/sell(sold) upload/download import/export encrypt/decrypt
encode/decode install/uninstall start/stop open/close win(won,winning,winner)/lose(lost,losing,loser)
gain/lose(lost,losing) push/pull send(sent)/receive lend(lent)/borrow accept/reject allow/forbid
include/exclude show(shown)/hide(hidden,hid) lock/unlock like/dislike love/hate agree/disagree
appear/disappear connect/disconnect mount/unmount subscribe/unsubscribe follow/unfollow block/unblock
activate/deactivate attach/detach compress/decompress zip/unzip pack/unpack freeze(froze,frozen)/unfreeze
serialize/deserialize maximize/minimize inhale/exhale upgrade/downgrade upvote/downvote add/remove
add/subtract multiply/divide rise(rose,risen)/fall(fell,fallen) arrive/depart hire/fire join/leave(left)
approve/disapprove trust/distrust respect/disrespect obey/disobey qualify/disqualify
overestimate/underestimate overrate/underrate overpay(overpaid)/underpay(underpaid)
minimum/maximum min/max best/worst better/worse most/least more/less higher/lower high/low fast/slow
cheap/expensive hot/cold positive/negative true/false male/female men/women man/woman boy/girl
boyfriend/girlfriend husband/wife son/daughter brother/sister father/mother north/south east/west
input/output uppercase/lowercase ascending/descending public/private first/last young/old old/new
rich/poor top/bottom inside/outside internal/external above/below before/after advantage/disadvantage
pro/con pros/cons success/failure legal/illegal possible/impossible able/unable happy/sad good/bad
easy/difficult strong/weak light/dark day/night summer/winter big/small large/small
long/short tall/short wide/narrow deep/shallow thick/thin fat/thin earlier/later past/future
previous/next forward/backward upstream/downstream incoming/outgoing inbound/outbound profit/loss
debit/credit buyer/seller employer/employee landlord/tenant teacher/student
sender/receiver client/server frontend/backend introvert/extrovert democrat/republican
liberal/conservative safe/dangerous healthy/unhealthy ethical/unethical moral/immoral
honest/dishonest visible/invisible available/unavailable valid/invalid correct/incorrect right/wrong
alive/dead birth/death life/death friend/enemy heaven/hell entry/exit enter/exit
overweight/underweight
`;

/** Phrase pairs (whole words, in this order). */
const PHRASE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ["turn on", "turn off"],
  ["switch on", "switch off"],
  ["log in", "log out"],
  ["sign in", "sign out"],
  ["scale up", "scale down"],
  ["speed up", "slow down"],
];

interface Side {
  word: string;
  forms: string[];
}

/** Regular inflections of an English word (over-generating is harmless: non-words never occur). */
function inflections(word: string): string[] {
  const out = [word, `${word}s`, `${word}es`, `${word}ed`, `${word}ing`, `${word}er`, `${word}est`];
  if (word.endsWith("e")) out.push(`${word}d`, `${word.slice(0, -1)}ing`, `${word}r`, `${word}st`);
  if (/[^aeiou]y$/.test(word)) {
    const stem = word.slice(0, -1);
    out.push(`${stem}ies`, `${stem}ied`, `${stem}ier`, `${stem}iest`);
  }
  // Short consonant-vowel-consonant words double their last letter: stop → stopped, hot → hotter.
  if (/^[^aeiou]*[aeiou][bdgklmnprtz]$/.test(word)) {
    const last = word.at(-1)!;
    out.push(`${word}${last}ed`, `${word}${last}ing`, `${word}${last}er`, `${word}${last}est`);
  }
  return out;
}

function side(spec: string): Side {
  const [, word, irregular] = /^([^(]+)(?:\((.*)\))?$/.exec(spec.trim())!;
  return { word: word!, forms: [...inflections(word!), ...(irregular ? irregular.split(",") : [])] };
}

/** The antonym pairs, parsed: `[[increase, decrease], …]`. */
export const ANTONYM_PAIRS: ReadonlyArray<readonly [Side, Side]> = [
  ...PAIRS.split(/\s+/)
    .filter(Boolean)
    .map((p) => {
      const [a, b] = p.split("/");
      return [side(a!), side(b!)] as const;
    }),
  ...PHRASE_PAIRS.map(([a, b]): readonly [Side, Side] => [
    { word: a, forms: [a] },
    { word: b, forms: [b] },
  ]),
];

/** Each single-word form → the pairs and sides it belongs to ("lost" → lose in win/lose and gain/lose). */
const BY_FORM = new Map<string, Array<{ pair: number; side: 0 | 1 }>>();
ANTONYM_PAIRS.forEach((pair, index) => {
  for (const side of [0, 1] as const) {
    for (const form of pair[side].forms) {
      if (form.includes(" ")) continue;
      if (!BY_FORM.has(form)) BY_FORM.set(form, []);
      BY_FORM.get(form)!.push({ pair: index, side });
    }
  }
});

function mentions(text: GuardText, s: Side): boolean {
  return s.forms.some((form) => hasPhrase(text, form));
}

/** True when the text joins the two sides: "pros and cons", "men or women". */
function joins(text: GuardText, [a, b]: readonly [Side, Side]): boolean {
  const joined = (x: Side, y: Side) =>
    x.forms.some((fx) => y.forms.some((fy) => / (?:and|or|vs|versus) /.test(between(text, fx, fy))));
  return joined(a, b) || joined(b, a);
}

/** The word between two phrases when `y` follows `x` after exactly one word ("x and y"), else "". */
function between(text: GuardText, x: string, y: string): string {
  const m = new RegExp(` ${x} (\\S+) ${y} `).exec(text.padded);
  return m ? ` ${m[1]} ` : "";
}

/**
 * Which sides of each pair a text asks about, by pair index: "a", "b", or "ab" (both, joined:
 * "pros and cons"). Pairs it does not mention, or mentions both sides of in unrelated places ("a
 * large dataset in small memory" asks nothing about size), are left out.
 */
const sidesOf = perText((text): Map<number, string> => {
  const seen = new Map<number, Set<0 | 1>>();
  const note = (pair: number, side: 0 | 1) => {
    if (!seen.has(pair)) seen.set(pair, new Set());
    seen.get(pair)!.add(side);
  };
  for (const word of text.words) for (const { pair, side } of BY_FORM.get(word) ?? []) note(pair, side);
  ANTONYM_PAIRS.forEach((pair, index) => {
    for (const side of [0, 1] as const)
      if (pair[side].word.includes(" ") && mentions(text, pair[side])) note(index, side);
  });
  const out = new Map<number, string>();
  for (const [index, sides] of seen) {
    if (sides.size === 1) out.set(index, sides.has(0) ? "a" : "b");
    else if (joins(text, ANTONYM_PAIRS[index]!)) out.set(index, "ab");
  }
  return out;
});

/**
 * Opposite words: one text says "increase" where the other says "decrease", or one asks about
 * both ("advantages and disadvantages", "men and women") where the other asks about one. Covers
 * verbs (enable/disable, upload/download), comparisons (min/max, faster/slower) and roles
 * (buyer/seller, employer/employee). A text that mentions neither side is not compared.
 */
export const antonyms: GuardRule = {
  name: "antonyms",
  check(question, candidate) {
    const q = sidesOf(question);
    const c = sidesOf(candidate);
    for (const [index, qs] of q) {
      const cs = c.get(index);
      if (cs === undefined || cs === qs) continue;
      const pair = ANTONYM_PAIRS[index]!;
      const say = (s: string) =>
        s === "ab" ? `"${pair[0].word}" and "${pair[1].word}"` : `"${pair[s === "a" ? 0 : 1].word}"`;
      return `opposite words (${say(qs)} vs ${say(cs)})`;
    }
    return undefined;
  },
};
