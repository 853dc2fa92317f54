import type { VerdictDecision } from "@recall/core";
import type { MockMessage } from "@recall/mock-openai";
import { intentOfQuestion } from "./intents.js";

/** The two questions of a judge prompt (`llmJudge`'s user turn puts each between tags). */
export interface JudgePrompt {
  newQuestion: string;
  cachedQuestion: string;
}

const between = (name: string) => new RegExp(`<${name}>\\n?([\\s\\S]*?)\\n?</${name}>`);
const NEW_QUESTION = between("new_question");
const CACHED_QUESTION = between("cached_question");

/**
 * The questions of a judge prompt, read from the last user turn's `<new_question>` and
 * `<cached_question>` tags (the layout of `llmJudge`'s prompt in @recall/ai-sdk); undefined for any
 * other request.
 */
export function readJudgePrompt(messages: MockMessage[]): JudgePrompt | undefined {
  const user = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const newQuestion = NEW_QUESTION.exec(user)?.[1];
  const cachedQuestion = CACHED_QUESTION.exec(user)?.[1];
  if (newQuestion === undefined || cachedQuestion === undefined) return undefined;
  return { newQuestion: newQuestion.trim(), cachedQuestion: cachedQuestion.trim() };
}

/**
 * The judge the local upstream plays. No local model here can tell a paraphrase from a near miss,
 * so the upstream answers `llmJudge`'s prompts from the workload's own labels: two questions of the
 * same intent are the same, two of different intents are different, and a question the workload
 * does not know is unsure. It never errs, which a real judge would: the report says it is simulated.
 */
export function simulatedVerdict(prompt: JudgePrompt): { decision: VerdictDecision; reason: string } {
  const asked = intentOfQuestion(prompt.newQuestion);
  const cached = intentOfQuestion(prompt.cachedQuestion);
  if (!asked || !cached)
    return { decision: "unsure", reason: "The workload does not know one of these questions." };
  if (asked === cached) return { decision: "same", reason: `Both questions ask ${asked}.` };
  return {
    decision: "different",
    reason: `The new question asks ${asked}; the cached answer is for ${cached}.`,
  };
}
