import { type AnswerRequest, defaultAnswer, startMockOpenAI } from "@recall/mock-openai";
import { intentOfQuestion } from "./intents.js";
import { readJudgePrompt, simulatedVerdict } from "./judge-upstream.js";

/** Where the demo's questions (and its judge's prompts) go: a local OpenAI-compatible server, or a real provider. */
export interface Upstream {
  baseURL: string;
  apiKey: string;
  model: string;
  /** The model `llmJudge` verifies candidates with (priced as such). */
  judgeModel: string;
  /** `local` answers are tagged with their intent, so a wrong cached answer is caught; its judge is simulated. */
  kind: "local" | "real";
  /** Upstream requests for answers (judge calls apart), when the upstream can count them. */
  calls(): number | undefined;
  /** Judge prompts answered, when the upstream can count them. */
  judgeCalls(): number | undefined;
  close(): Promise<void>;
}

/**
 * With OPENAI_API_KEY set: the real provider (OPENAI_BASE_URL, OPENAI_MODEL, OPENAI_JUDGE_MODEL to
 * override). Otherwise the local upstream of {@link startLocalUpstream}.
 */
export async function startUpstream(): Promise<Upstream> {
  const key = process.env.OPENAI_API_KEY;
  if (!key) return startLocalUpstream();
  return {
    baseURL: process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
    apiKey: key,
    model: process.env.OPENAI_MODEL ?? "gpt-4.1-mini",
    judgeModel: process.env.OPENAI_JUDGE_MODEL ?? "gpt-4.1-nano",
    kind: "real",
    calls: () => undefined,
    judgeCalls: () => undefined,
    close: async () => {},
  };
}

/**
 * A local OpenAI-compatible server that answers like a hosted model: 350–700 ms to first token,
 * then 80 tokens/s, with realistic token usage, and each answer tagged with the intent it answers.
 * Judge prompts (`llmJudge`'s, for `gpt-4.1-nano`) are answered like a small model would, 150–300 ms
 * to first token, with a verdict from the workload's labels (`judge-upstream.ts`).
 */
export async function startLocalUpstream(): Promise<Upstream> {
  let seed = 1;
  const draw = () => {
    seed = (seed * 48271) % 2147483647;
    return seed;
  };
  let judged = 0;
  const server = await startMockOpenAI({
    latencyMs: (req) => (readJudgePrompt(req.messages) ? 150 + (draw() % 150) : 350 + (draw() % 350)),
    tokensPerSecond: 80,
    answer: (req: AnswerRequest) => {
      const judging = readJudgePrompt(req.messages);
      if (judging) {
        judged++;
        return JSON.stringify(simulatedVerdict(judging));
      }
      const question = [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
      const base = defaultAnswer(req);
      const text = typeof base === "string" ? base : (base.text ?? "");
      return `[intent:${intentOfQuestion(question) ?? "unknown"}] ${text.replace(/^\[ans:[0-9a-f]+\]\s*/, "")}`;
    },
  });
  return {
    baseURL: server.url,
    apiKey: "sk-local-demo",
    model: "gpt-4.1",
    judgeModel: "gpt-4.1-nano",
    kind: "local",
    calls: () => server.count("chat") + server.count("responses") - judged,
    judgeCalls: () => judged,
    close: () => server.close(),
  };
}

/** The intent an answer from the local upstream was written for. */
export function intentOfAnswer(text: string): string | undefined {
  return /^\[intent:([\w-]+)\]/.exec(text)?.[1];
}
