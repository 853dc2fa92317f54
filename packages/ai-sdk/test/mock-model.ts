/**
 * Test helpers around the AI SDK's own `MockLanguageModelV4`: canned generate results and streams,
 * with call counting done by the mock itself (`doGenerateCalls`, `doStreamCalls`).
 */
import type {
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { simulateReadableStream } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import type { RecallMetadata } from "../src/index.js";

export const usage = (input: number, output: number): LanguageModelV4Usage => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
  raw: { prompt_tokens: input, completion_tokens: output },
});

export const TIMESTAMP = new Date("2026-01-02T03:04:05.000Z");

export function generated(
  content: LanguageModelV4Content[] | string,
  extra: Partial<LanguageModelV4GenerateResult> = {},
): LanguageModelV4GenerateResult {
  const parts: LanguageModelV4Content[] =
    typeof content === "string" ? [{ type: "text", text: content }] : content;
  const toolCalls = parts.some((p) => p.type === "tool-call");
  return {
    content: parts,
    finishReason: { unified: toolCalls ? "tool-calls" : "stop", raw: toolCalls ? "tool_calls" : "stop" },
    usage: usage(12, 8),
    providerMetadata: { openai: { responseId: "resp_1", serviceTier: "default" } },
    response: {
      id: "resp_1",
      timestamp: TIMESTAMP,
      modelId: "gpt-4.1-2025-04-14",
      headers: { "x-request-id": "abc" },
    },
    request: { body: { model: "gpt-4.1" } },
    warnings: [],
    ...extra,
  };
}

/** The text the last user message asks, to make answers depend on the question. */
export function lastUserText(options: LanguageModelV4CallOptions): string {
  for (let i = options.prompt.length - 1; i >= 0; i--) {
    const m = options.prompt[i]!;
    if (m.role === "user") return m.content.map((p) => (p.type === "text" ? p.text : "")).join("");
  }
  return "";
}

/** A full stream: metadata, reasoning, text in pieces, a tool input and call, finish with usage. */
export function streamOf(
  text: string,
  options: { toolCall?: boolean; error?: boolean } = {},
): LanguageModelV4StreamPart[] {
  const pieces = text.match(/.{1,4}/gs) ?? [];
  const parts: LanguageModelV4StreamPart[] = [
    { type: "stream-start", warnings: [] },
    { type: "response-metadata", id: "resp_s", timestamp: TIMESTAMP, modelId: "gpt-4.1-2025-04-14" },
    { type: "reasoning-start", id: "r0" },
    { type: "reasoning-delta", id: "r0", delta: "Thinking it over." },
    { type: "reasoning-end", id: "r0" },
    { type: "text-start", id: "t0" },
    ...pieces.map((delta): LanguageModelV4StreamPart => ({ type: "text-delta", id: "t0", delta })),
    { type: "text-end", id: "t0" },
  ];
  if (options.toolCall) {
    parts.push(
      { type: "tool-input-start", id: "call_1", toolName: "lookup" },
      { type: "tool-input-delta", id: "call_1", delta: '{"q":' },
      { type: "tool-input-delta", id: "call_1", delta: '"paris"}' },
      { type: "tool-input-end", id: "call_1" },
      { type: "tool-call", toolCallId: "call_1", toolName: "lookup", input: '{"q":"paris"}' },
    );
  }
  if (options.error) parts.push({ type: "error", error: new Error("upstream broke") });
  parts.push({
    type: "finish",
    finishReason: {
      unified: options.toolCall ? "tool-calls" : "stop",
      raw: options.toolCall ? "tool_calls" : "stop",
    },
    usage: usage(12, 8),
    providerMetadata: { openai: { responseId: "resp_s" } },
  });
  return parts;
}

export interface MockOptions {
  answer?: (options: LanguageModelV4CallOptions, call: number) => LanguageModelV4GenerateResult;
  stream?: (options: LanguageModelV4CallOptions, call: number) => LanguageModelV4StreamPart[];
  /** Delay before the answer (generate) or between stream parts, in ms. */
  delayMs?: number;
  modelId?: string;
  provider?: string;
}

export function mockModel(options: MockOptions = {}): MockLanguageModelV4 {
  const delay = options.delayMs ?? 0;
  let generates = 0;
  let streams = 0;
  return new MockLanguageModelV4({
    provider: options.provider ?? "openai.chat",
    modelId: options.modelId ?? "gpt-4.1",
    doGenerate: async (call) => {
      const n = generates++;
      if (delay) await new Promise((r) => setTimeout(r, delay));
      return (options.answer ?? ((o) => generated(`Answer to: ${lastUserText(o)}`)))(call, n);
    },
    doStream: async (call) => {
      const n = streams++;
      const parts = (options.stream ?? ((o) => streamOf(`Answer to: ${lastUserText(o)}`)))(call, n);
      return {
        stream: simulateReadableStream({
          chunks: parts,
          initialDelayInMs: delay || null,
          chunkDelayInMs: delay || null,
        }),
        response: { headers: { "x-request-id": "abc" } },
      };
    },
  });
}

export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

/** Our metadata on a result (`providerMetadata.recall`), typed. */
export function recallOf(providerMetadata: unknown): RecallMetadata | undefined {
  return (providerMetadata as { recall?: RecallMetadata } | undefined)?.recall;
}
