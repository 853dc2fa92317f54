import type { GuardRule } from "./rule.js";
import { type GuardText, perText, type Token } from "./text.js";

/**
 * A grammatical person: first singular, first plural, second, third (he, she, they). "Its" is left
 * out: it points at a thing named in the text, and rewordings trade it for "their" or the name.
 */
type Person = "1s" | "1p" | "2" | "3m" | "3f" | "3p";

/** Pronouns that name who acts or is acted on ("I", "me", "you", "they"), by person. */
const PARTICIPANTS: Record<string, Person> = {
  i: "1s",
  me: "1s",
  myself: "1s",
  we: "1p",
  us: "1p",
  ourselves: "1p",
  you: "2",
  u: "2",
  yourself: "2",
  yourselves: "2",
  he: "3m",
  him: "3m",
  himself: "3m",
  she: "3f",
  herself: "3f",
  they: "3p",
  them: "3p",
  themselves: "3p",
};

/** Possessive determiners and pronouns ("my", "mine", "your", "yours", …), by person. */
const POSSESSORS: Record<string, Person> = {
  my: "1s",
  mine: "1s",
  our: "1p",
  ours: "1p",
  your: "2",
  yours: "2",
  ur: "2",
  his: "3m",
  hers: "3f",
  their: "3p",
  theirs: "3p",
};

/**
 * Words after which "her" is an object ("tell her the truth", "ask her out", "love her so much"),
 * not a possessive ("her mother"). Common words mostly: a possessive "her" is followed by a noun.
 */
const AFTER_OBJECT_HER =
  /^(?:a|an|the|to|and|or|but|that|if|is|was|about|for|with|in|on|at|by|from|of|back|out|up|down|off|away|so|too|very|again|now|more|less|i|you|he|she|we|they|me|him|us|them|what|how|why|when|where|who|this|it|not|first|before|after|than)$/;

interface Persons {
  participants: Set<Person>;
  possessors: Set<Person>;
}

/** "her" is possessive before a word that is not a sign of an object ("her mother", not "tell her to"). */
function herIsPossessive(next: Token | undefined, her: Token): boolean {
  return next !== undefined && next.sentence === her.sentence && !AFTER_OBJECT_HER.test(next.lower);
}

/** "his/her", "her or his": one generic person, read as "their". */
function pairedWith(tokens: readonly Token[], i: number, other: string): boolean {
  const at = (k: number) => tokens[k]?.lower;
  return (
    [i - 1, i + 1].some((k) => at(k) === other) ||
    (["/", "or"].includes(at(i - 1) ?? "") && at(i - 2) === other) ||
    (["/", "or"].includes(at(i + 1) ?? "") && at(i + 2) === other)
  );
}

/** Who takes part (pronouns) and whose things are asked about (possessives) in a text. */
const personsOf = perText((text: GuardText): Persons => {
  const participants = new Set<Person>();
  const possessors = new Set<Person>();
  const { tokens } = text;
  tokens.forEach((t, i) => {
    if (
      (t.lower === "his" && pairedWith(tokens, i, "her")) ||
      (t.lower === "her" && pairedWith(tokens, i, "his"))
    ) {
      possessors.add("3p");
      return;
    }
    if (t.lower === "her") {
      (herIsPossessive(tokens[i + 1], t) ? possessors : participants).add("3f");
      return;
    }
    // "I'm", "you're", "they've": the pronoun before the apostrophe.
    const participant = PARTICIPANTS[t.lower.replace(/'(?:m|re|ve|d|ll|s)$/, "")];
    if (participant) participants.add(participant);
    const possessor = POSSESSORS[t.lower];
    if (possessor) possessors.add(possessor);
  });
  return { participants, possessors };
});

/**
 * True when renaming the persons of `x` one-to-one turns its possessors into `y`'s, or into some of
 * them (`y` may add one: "their mutiny" / "their mutiny … our India"). A participant of both
 * texts keeps its person; a participant of `x` only becomes one of `y` only: "I … my" → "you …
 * your" (a person shift). A possessor no participant pins may become any other: "their" → "his".
 * "I … my" → "I … your" cannot: "I" stays "I", so "my" stays "my".
 */
function renames(x: Persons, y: Persons): boolean {
  if (x.possessors.size > y.possessors.size) return false;
  const persons = [...new Set([...x.participants, ...x.possessors])];
  const targets: Person[] = ["1s", "1p", "2", "3m", "3f", "3p"];
  const used = new Set<Person>();
  const image = new Map<Person, Person>();
  const search = (k: number): boolean => {
    if (k === persons.length) return [...x.possessors].every((p) => y.possessors.has(image.get(p)!));
    const p = persons[k]!;
    for (const q of targets) {
      if (used.has(q)) continue;
      // Someone in both texts stays who they are; someone in one only becomes someone of the other only.
      if (
        x.participants.has(p) &&
        (y.participants.has(p) ? q !== p : !y.participants.has(q) || x.participants.has(q))
      )
        continue;
      if (x.possessors.has(p) && !y.possessors.has(q)) continue;
      used.add(q);
      image.set(p, q);
      if (search(k + 1)) return true;
      used.delete(q);
      image.delete(p);
    }
    return false;
  };
  return search(0);
}

const NAMES: Record<Person, string> = {
  "1s": "my",
  "1p": "our",
  "2": "your",
  "3m": "his",
  "3f": "her",
  "3p": "their",
};

/**
 * Another possessor: whose thing is asked about changes. "How do I delete my account?" / "How do
 * I delete your account?", "Can I read my wife's messages?" / "Can I read his wife's messages?".
 *
 * Possessors are compared relative to the persons of each text, because a change of person is the
 * most common rewording there is: "How can I reset my password?" / "How do you reset your
 * password?" passes ("I" → "you" carries "my" → "your"), and so do "their" / "his" for a generic
 * person ("How can a person improve their English?" / "… his English?"). What is refused is a
 * possessor the person shift does not explain: "I … my" / "I … your". A text without possessives
 * ("How do I delete the account?") is not compared.
 */
export const possessor: GuardRule = {
  name: "possessor",
  check(question, candidate) {
    const q = personsOf(question);
    const c = personsOf(candidate);
    if (q.possessors.size === 0 || c.possessors.size === 0) return undefined;
    if (renames(q, c) || renames(c, q)) return undefined;
    const say = (p: Persons) => [...p.possessors].map((x) => NAMES[x]).join(", ");
    return `possessor differs (${say(q)} vs ${say(c)})`;
  },
};
