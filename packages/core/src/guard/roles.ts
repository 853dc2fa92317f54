import { COMMON_WORDS } from "./common-words.js";
import { isNumberWord } from "./numbers.js";
import type { GuardRule } from "./rule.js";
import { comparable, perText, type Token } from "./text.js";

/** Dropped from the words between the two sides: "the dog chases the cat" = "dog chases cat". */
const FILLER = new Set(["a", "an", "the", "this", "that", "these", "those", "some", "any", "every", "each"]);

/**
 * Words that make the two sides interchangeable or are read by other rules. Coordination ("cats
 * and dogs"), symmetric verbs and relations ("marry", "meet", "vs", "similar to"), the copula ("X
 * is Y" / "Y is X" is mostly a rewording), the agent of a passive ("the cat is chased by the dog"
 * says what "the dog chases the cat" says), and direction words (the `order` rule).
 */
const BLOCKERS = new Set(
  `
and or nor vs versus plus with without between among amongst against
compare compared comparing comparison differ differs different difference same like likes alike
similar similarity equal equals equivalent resemble resembles match matches
marry marries married marrying meet meets met meeting date dating fight fighting
is are was were be been being am isn't aren't wasn't weren't become becomes became
by from to into onto than before after over instead towards toward versus
`
    .split(/\s+/)
    .filter(Boolean),
);

/** How many words (fillers not counted) may stand between the two sides. */
const MAX_BETWEEN = 3;

/** A word that can fill a role: not a common word and not a number word. */
function isAnchor(t: Token): boolean {
  return !t.symbol && !COMMON_WORDS.has(t.lower) && !isNumberWord(t.lower) && !BLOCKERS.has(t.lower);
}

interface Relation {
  /**
   * Comparable forms of who acts, the words between (the verb: "chase", "think of"; a past
   * participle for the passive: "chased"), and who is acted on.
   */
  first: string;
  verb: string;
  second: string;
  /** As written: "dog chase the cat". */
  text: string;
}

/**
 * Every "X <words> Y" of a text with X and Y two different role words in one sentence, and one to
 * three words between them (fillers left out) of which none is a blocker. The words between are the
 * relation ("chase", "evict", "think of").
 */
const relationsOf = perText((text): Relation[] => {
  const out: Relation[] = passivesOf(text.tokens);
  const { tokens } = text;
  for (let i = 0; i < tokens.length; i++) {
    const x = tokens[i]!;
    if (!isAnchor(x)) continue;
    const between: string[] = [];
    for (let j = i + 1; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.sentence !== x.sentence || BLOCKERS.has(t.lower) || t.symbol) break;
      if (between.length > 0 && isAnchor(t)) {
        const first = comparable(x.text);
        const second = comparable(t.text);
        if (first !== second)
          out.push({
            first,
            verb: between.join(" "),
            second,
            text: tokens
              .slice(i, j + 1)
              .map((k) => k.text)
              .join(" "),
          });
      }
      if (FILLER.has(t.lower)) continue;
      between.push(comparable(t.text));
      if (between.length > MAX_BETWEEN) break;
    }
  }
  return out;
});

/** Words of the passive between the one acted on and its participle: "is", "was", "be", "got". */
const PASSIVE_AUX = new Set([
  "is",
  "are",
  "was",
  "were",
  "be",
  "been",
  "being",
  "get",
  "gets",
  "got",
  "getting",
]);
/** Irregular past participles of frequent verbs, to their verb. */
const IRREGULAR: Record<string, string> = {
  paid: "pay",
  fed: "feed",
  caught: "catch",
  taught: "teach",
  bought: "buy",
  sold: "sell",
  held: "hold",
  led: "lead",
  hit: "hit",
  hurt: "hurt",
  beaten: "beat",
  thrown: "throw",
  shot: "shoot",
  found: "find",
  told: "tell",
  left: "leave",
  kept: "keep",
  struck: "strike",
  won: "win",
};

/** True when `participle` is the past participle of `verb`: chase → chased, bite → bitten, pay → paid. */
function isParticipleOf(participle: string, verb: string): boolean {
  if (IRREGULAR[participle] === verb) return true;
  const stem = verb.replace(/e$/, "");
  const last = verb.at(-1);
  return [
    `${verb}d`,
    `${verb}ed`,
    `${verb}n`,
    `${verb}en`,
    `${stem}${last}en`,
    `${verb}${last}ed`,
    `${verb.replace(/y$/, "i")}ed`,
    `${stem}${stem.at(-1)}en`,
  ].includes(participle);
}

/** Verbs, or a verb and its participle: "chase" = "chases" (comparable), "chase" ~ "chased". */
function sameVerb(a: string, b: string): boolean {
  return a === b || isParticipleOf(a, b) || isParticipleOf(b, a);
}

/**
 * The passives of a text, as relations with the agent first: "the cat is chased by the dog" →
 * dog, chased, cat. The one acted on stands before the participle (an "is", "was", "be" or an
 * article between), the agent after "by".
 */
function passivesOf(tokens: readonly Token[]): Relation[] {
  const out: Relation[] = [];
  tokens.forEach((by, b) => {
    const participle = tokens[b - 1];
    if (by.lower !== "by" || !participle || !/(?:ed|en|n|t|d)$/.test(participle.lower)) return;
    if (!isAnchor(participle) && !(participle.lower in IRREGULAR)) return;
    let patient: Token | undefined;
    for (let i = b - 2; i >= 0 && i >= b - 5; i--) {
      const t = tokens[i]!;
      if (t.sentence !== by.sentence) break;
      if (isAnchor(t)) patient = t;
      if (!FILLER.has(t.lower) && !PASSIVE_AUX.has(t.lower)) break;
    }
    let agent: Token | undefined;
    for (let i = b + 1; i < tokens.length && i <= b + 3; i++) {
      const t = tokens[i]!;
      if (t.sentence !== by.sentence) break;
      if (isAnchor(t)) agent = t;
      if (!FILLER.has(t.lower)) break;
    }
    if (!patient || !agent) return;
    const first = comparable(agent.text);
    const second = comparable(patient.text);
    if (first === second) return;
    out.push({
      first,
      verb: comparable(participle.text),
      second,
      text: tokens
        .slice(patient.index, agent.index + 1)
        .map((t) => t.text)
        .join(" "),
    });
  });
  return out;
}

/**
 * Swapped roles: the same two words on either side of the same verb, the other way round. "Does
 * the dog chase the cat?" / "Does the cat chase the dog?", "Can a landlord evict a tenant?" / "Can
 * a tenant evict a landlord?", "Why does India hate Pakistan?" / "Why does Pakistan hate India?".
 *
 * The words between must be the same on both sides (articles aside), so a clause moved elsewhere
 * in a rewording ("Where in Germany can I study medicine?" / "Where can I study medicine in
 * Germany?") is no swap. Passes: coordination and symmetric relations ("cats and dogs" / "dogs and
 * cats", "X vs Y", "X married Y", "X is similar to Y"), the passive with the same agent ("Is the
 * cat chased by the dog?": "by" names the agent), the copula ("X is Y"), and direction words (the
 * `order` rule). A passive with the other agent is a swap: "Is the dog chased by the cat?".
 */
export const roles: GuardRule = {
  name: "roles",
  check(question, candidate) {
    const q = relationsOf(question);
    const c = relationsOf(candidate);
    const find = (relations: Relation[], first: string, verb: string, second: string) =>
      relations.find((r) => r.first === first && sameVerb(r.verb, verb) && r.second === second);
    for (const r of q) {
      if (find(q, r.second, r.verb, r.first)) continue;
      const swapped = find(c, r.second, r.verb, r.first);
      if (swapped && !find(c, r.first, r.verb, r.second))
        return `roles swapped ("${r.text}" vs "${swapped.text}")`;
    }
    return undefined;
  },
};
