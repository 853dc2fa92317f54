import type { Answer } from "./adapters/types.js";
import { intentOfQuestion } from "./intents.js";
import { intentOfAnswer } from "./upstream.js";

/**
 * Which intent a served answer was written for, so a wrong cached answer is caught. The local
 * upstream tags each answer with its intent. A real provider's answers carry no tag, so each answer
 * fetched upstream is remembered by its text with the intent of its question, and a hit (exact, by
 * meaning, through an alias) serves that same text. A semantic hit whose text was not seen yet (it
 * overtook the miss that fetched it) is judged by the intent of the question it matched, which for
 * an alias is the promoted wording, not the entry's own question.
 */
export function servedIntents(
  kind: "local" | "real",
): (intent: string, answer: Answer) => string | undefined {
  const byText = new Map<string, string>();
  return (intent, answer) => {
    if (kind === "local") return intentOfAnswer(answer.text);
    if (answer.status === "miss" || answer.status === "bypass") {
      if (!byText.has(answer.text)) byText.set(answer.text, intent);
      return intent;
    }
    const known = byText.get(answer.text);
    if (known) return known;
    return answer.status === "semantic-hit" ? intentOfQuestion(answer.matchedQuestion ?? "") : intent;
  };
}
