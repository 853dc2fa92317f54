/** Rough token count, as OpenAI's tokenizers average about 4 characters per token of English. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/**
 * Splits text into stream pieces of roughly one token each: a word with its leading space,
 * long words cut into 4-character pieces. Joining the pieces gives back the text exactly.
 */
export function splitIntoTokens(text: string): string[] {
  const pieces: string[] = [];
  for (const word of text.match(/\s*\S+|\s+$/g) ?? []) {
    if (word.length <= 8) {
      pieces.push(word);
      continue;
    }
    for (let i = 0; i < word.length; i += 4) pieces.push(word.slice(i, i + 4));
  }
  return pieces;
}
