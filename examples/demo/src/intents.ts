import { normalizeText } from "@recall/core/adapter";
import { intents } from "./workload.js";

const byQuestion = new Map<string, string>();
for (const intent of intents) {
  for (const q of [intent.question, ...intent.paraphrases]) byQuestion.set(normalizeText(q), intent.id);
}

/** The intent a workload question belongs to. */
export function intentOfQuestion(question: string): string | undefined {
  return byQuestion.get(normalizeText(question));
}
