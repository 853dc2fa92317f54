/**
 * LangChain's `llmKey`: the model's identifying parameters and the call options, as
 * `name:JSON` pairs sorted by name and joined by commas (see `_getSerializedCacheKeyParametersForCall`
 * in `@langchain/core`). Commas also occur inside the JSON values, so it is read value by value.
 */

import { setOwn } from "@recall/core/adapter";

/** Parses an llmKey into its members. Throws on text that is not in that format. */
export function parseLlmKey(llmKey: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let i = 0;
  while (i < llmKey.length) {
    const colon = llmKey.indexOf(":", i);
    if (colon <= i) throw new SyntaxError(`llmKey: expected "name:" at ${i}`);
    const name = llmKey.slice(i, colon);
    const end = endOfJsonValue(llmKey, colon + 1);
    setOwn(out, name, JSON.parse(llmKey.slice(colon + 1, end)));
    if (end < llmKey.length && llmKey[end] !== ",") throw new SyntaxError(`llmKey: expected "," at ${end}`);
    i = end + 1;
  }
  return out;
}

/** The index just past the JSON value that starts at `start` (as JSON.stringify writes it: no spaces). */
function endOfJsonValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start) + 1;
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '"') i = endOfString(text, i);
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw new SyntaxError("llmKey: unbalanced brackets");
  }
  // A number, true, false or null runs to the next comma.
  const comma = text.indexOf(",", start);
  return comma === -1 ? text.length : comma;
}

/** The index of the closing quote of the string whose opening quote is at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  throw new SyntaxError("llmKey: unterminated string");
}
