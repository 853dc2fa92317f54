import type { Embedder } from "./embedder.js";
import { analyze } from "./guard/text.js";

/**
 * Characters no guard rule can compare: private-use and unassigned code points, lone surrogates,
 * and control characters other than white space.
 */
const UNCOMPARABLE = /[\p{Co}\p{Cn}\p{Cs}]|[^\P{Cc}\t\n\v\f\r]/u;

/** Cosine from which two vectors are one vector up to float error. */
export const SAME_VECTOR = 1 - 1e-6;

/**
 * Why a question must be matched exactly only, never by meaning, or undefined when it may be
 * matched. Semantic matching is only as safe as what the embedder and the guard can see:
 * - text the guard cannot compare: no word, number or symbol at all, or characters that are none
 *   of these (private use, unassigned, controls);
 * - text the embedder could not represent (`Embedder.unrepresented`): unknown tokens (Thai, Khmer,
 *   most emoji are `[UNK]` to all-MiniLM-L6-v2, so "what's the weather in Bangkok" and "how to cook
 *   rice" in Thai get one vector), or tokens past its input window.
 * Throws when the embedder's check fails; the caller reports it and matches exactly.
 */
export async function unreadableReason(text: string, embedder: Embedder): Promise<string | undefined> {
  const uncomparable = uncomparableReason(text);
  if (uncomparable || !embedder.unrepresented) return uncomparable;
  const [share] = await embedder.unrepresented([text]);
  return unrepresentedReason(share);
}

/** The guard's half of `unreadableReason`: text it cannot compare. Synchronous and cheap. */
export function uncomparableReason(text: string): string | undefined {
  const odd = UNCOMPARABLE.exec(text);
  if (odd) return `characters the guard cannot compare (U+${codePoint(odd[0])})`;
  if (analyze(text).tokens.length === 0) return "no word, number or symbol to compare";
  return undefined;
}

/**
 * The embedder's half of `unreadableReason`, from the share it reported (undefined: it does not
 * say, and is trusted). Throws on a share that is not a number; the caller reports it.
 */
export function unrepresentedReason(share: number | undefined): string | undefined {
  if (share === undefined) return undefined;
  if (checkedShare(share) > 0) return `${Math.round(share * 100)}% of the text is unknown to the embedder`;
  return undefined;
}

/** What `Embedder.unrepresented` reported for one text, if it is a share; throws otherwise. */
export function checkedShare(share: unknown): number {
  if (typeof share !== "number" || Number.isNaN(share))
    throw new Error(`embedder.unrepresented returned ${String(share)} instead of a share`);
  return share;
}

/**
 * Two texts with different words that the model maps to the same vector: it could not see what
 * differs (accents it strips, words it reads as one unknown token), so the similarity says nothing.
 * Returns the reason to refuse the match, or undefined. Letter case alone is not a difference.
 */
export function sameVectorReason(
  question: string,
  candidate: string,
  similarity: number,
): string | undefined {
  if (similarity < SAME_VECTOR) return undefined;
  const words = (text: string) =>
    analyze(text)
      .tokens.map((t) => t.lower)
      .join(" ");
  return words(question) === words(candidate)
    ? undefined
    : "the embedder gives one vector to texts with different words (it cannot tell them apart)";
}

function codePoint(char: string): string {
  return char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
}
