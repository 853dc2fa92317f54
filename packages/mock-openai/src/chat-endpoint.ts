import type { ServerResponse } from "node:http";
import { type Generation, Pacer, pieceCount, textPieces } from "./generation";
import { cutConnection, nowSeconds, randomId, sendJson, sleep, startEventStream } from "./http-util";
import { splitIntoTokens } from "./tokens";

const FINGERPRINT = "fp_mock0001";

function chatUsage(g: Generation) {
  return {
    prompt_tokens: g.promptTokens,
    completion_tokens: g.completionTokens,
    total_tokens: g.promptTokens + g.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Answers `POST /v1/chat/completions` without streaming: a `chat.completion` object. */
export async function sendChatCompletion(
  res: ServerResponse,
  model: string,
  g: Generation,
  latencyMs: number,
  tokensPerSecond: number | undefined,
  signal: AbortSignal,
): Promise<void> {
  await sleep(Pacer.plainDelay(latencyMs, pieceCount(g), tokensPerSecond), signal);
  const message: Record<string, unknown> = {
    role: "assistant",
    content: g.toolCalls.length > 0 && !g.text ? null : g.text,
    refusal: null,
    annotations: [],
  };
  if (g.toolCalls.length > 0) {
    message.tool_calls = g.toolCalls.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  sendJson(res, 200, {
    id: randomId("chatcmpl-", 14),
    object: "chat.completion",
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: g.finishReason }],
    usage: chatUsage(g),
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  });
}

/**
 * Answers `POST /v1/chat/completions` with `stream: true`: `chat.completion.chunk` events
 * (role, content deltas, tool call deltas, finish reason), an optional usage chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`.
 */
export async function streamChatCompletion(
  res: ServerResponse,
  model: string,
  g: Generation,
  includeUsage: boolean,
  latencyMs: number,
  pacer: Pacer,
): Promise<void> {
  await pacer.start(latencyMs);
  const sse = startEventStream(res);
  const id = randomId("chatcmpl-", 14);
  const created = nowSeconds();
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);

  const emit = async (data: unknown): Promise<boolean> => {
    if (!(await pacer.beforePiece())) {
      cutConnection(res);
      return false;
    }
    return sse.write(data);
  };

  // The first chunk carries the role (and, with text, the first piece of content).
  const pieces = textPieces(g);
  if (!sse.write(delta({ role: "assistant", content: "", refusal: null }))) return;
  for (const piece of pieces) {
    if (!(await emit(delta({ content: piece })))) return;
  }
  for (const [index, call] of g.toolCalls.entries()) {
    const start = {
      tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
    };
    if (!(await emit(delta(start)))) return;
    for (const piece of splitIntoTokens(call.arguments)) {
      if (!(await emit(delta({ tool_calls: [{ index, function: { arguments: piece } }] })))) return;
    }
  }
  if (!sse.write(delta({}, g.finishReason))) return;
  if (includeUsage) sse.write(chunk([], { usage: chatUsage(g) }));
  sse.end("[DONE]");
}
