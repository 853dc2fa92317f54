import { type AnswerRequest, defaultAnswer, startMockOpenAI } from "@recall/mock-openai";
import { intentOfQuestion } from "./intents.js";

/** Where the demo's questions go: a local OpenAI-compatible server, or a real provider. */
export interface Upstream {
  baseURL: string;
  apiKey: string;
  model: string;
  /** `local` answers are tagged with their intent, so a wrong cached answer is caught. */
  kind: "local" | "real";
  /** Upstream requests made, when the upstream can count them. */
  calls(): number | undefined;
  close(): Promise<void>;
}

/**
 * With OPENAI_API_KEY set: the real provider (OPENAI_BASE_URL, OPENAI_MODEL to override). Otherwise a
 * local OpenAI-compatible server that answers like a hosted model: 350–700 ms to first token, then
 * 80 tokens/s, with realistic token usage, and each answer tagged with the intent it answers.
 */
export async function startUpstream(): Promise<Upstream> {
  const key = process.env.OPENAI_API_KEY;
  if (key) {
    return {
      baseURL: process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
      apiKey: key,
      model: process.env.OPENAI_MODEL ?? "gpt-4.1-mini",
      kind: "real",
      calls: () => undefined,
      close: async () => {},
    };
  }
  let seed = 1;
  const server = await startMockOpenAI({
    latencyMs: () => {
      seed = (seed * 48271) % 2147483647;
      return 350 + (seed % 350);
    },
    tokensPerSecond: 80,
    answer: (req: AnswerRequest) => {
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
    kind: "local",
    calls: () => server.count("chat") + server.count("responses"),
    close: () => server.close(),
  };
}

/** The intent an answer from the local upstream was written for. */
export function intentOfAnswer(text: string): string | undefined {
  return /^\[intent:([\w-]+)\]/.exec(text)?.[1];
}
