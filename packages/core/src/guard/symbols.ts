import { difference, type GuardRule, list } from "./rule.js";
import { perText } from "./text.js";

/** The emoji and symbols of a text, variation selectors dropped ("❤️" = "❤"). */
export const symbolsOf = perText(
  (text): Set<string> =>
    new Set(text.tokens.filter((t) => t.symbol).map((t) => t.text.replace(/\uFE0F/g, ""))),
);

/**
 * Symbols: an emoji or symbol in one text that the other does not have. "Is 🍄 safe to eat?" /
 * "Is 🍎 safe to eat?", "C++" / "C", "x → y" / "x ← y", "∑" / "∏". Embedding models know few of
 * them (most are `[UNK]` to all-MiniLM-L6-v2), so the embedding cannot be trusted to tell them apart.
 * Repeats and order pass: "🍄🍄" = "🍄".
 */
export const symbols: GuardRule = {
  name: "symbols",
  check(question, candidate) {
    const diff = difference(symbolsOf(question), symbolsOf(candidate));
    return diff && `symbols differ (${list(diff[0])} vs ${list(diff[1])})`;
  },
};
