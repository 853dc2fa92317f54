import { intents } from "./workload.js";

const byQuestion = new Map<string, string>();
for (const intent of intents) {
  for (const q of [intent.question, ...intent.paraphrases]) byQuestion.set(key(q), intent.id);
}

function key(question: string): string {
  return question.normalize("NFC").replace(/\s+/g, " ").trim();
}

/** The intent a workload question belongs to. */
export function intentOfQuestion(question: string): string | undefined {
  return byQuestion.get(key(question));
}
