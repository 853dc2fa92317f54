import { defaultAnswer } from "./answer";
import { randomId, sleep } from "./http-util";
import { estimateTokens, splitIntoTokens } from "./tokens";
import type { AnswerRequest, MockOpenAIOptions } from "./types";

/** A model reply in a shape both APIs render from. */
export interface Generation {
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  /** Chat Completions finish reason ("stop", "tool_calls", "length", ...). */
  finishReason: string;
  /** True when the text was cut at the request's max output tokens. */
  truncated: boolean;
  promptTokens: number;
  completionTokens: number;
}

/** Runs `answer` (or the default) and normalizes the result, applying max output tokens. */
export async function generate(options: MockOpenAIOptions, req: AnswerRequest): Promise<Generation> {
  const result = await (options.answer ?? defaultAnswer)(req);
  const r = typeof result === "string" ? { text: result } : (result ?? {});
  let text = r.text ?? "";
  const toolCalls = (r.toolCalls ?? []).map((c) => ({
    id: randomId("call_", 12),
    name: c.name,
    arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments ?? {}),
  }));

  const maxTokens = maxOutputTokens(req);
  let truncated = false;
  if (maxTokens !== undefined && estimateTokens(text) > maxTokens) {
    text = text.slice(0, maxTokens * 4);
    truncated = true;
  }
  const finishReason =
    r.finishReason ?? (truncated ? "length" : toolCalls.length > 0 ? "tool_calls" : "stop");
  const completionTokens =
    r.usage?.completionTokens ??
    estimateTokens(text) +
      toolCalls.reduce((n, c) => n + estimateTokens(c.name) + estimateTokens(c.arguments) + 3, 0);
  return {
    text,
    toolCalls,
    finishReason,
    truncated,
    promptTokens: r.usage?.promptTokens ?? promptTokens(req),
    completionTokens,
  };
}

function maxOutputTokens(req: AnswerRequest): number | undefined {
  const b = req.body ?? {};
  const v = req.endpoint === "chat" ? (b.max_completion_tokens ?? b.max_tokens) : b.max_output_tokens;
  return typeof v === "number" && v > 0 ? v : undefined;
}

/** Prompt size as OpenAI roughly counts it: text/4 plus a few tokens per message, plus tool schemas. */
export function promptTokens(req: AnswerRequest): number {
  let n = 3;
  for (const m of req.messages) n += 4 + estimateTokens(m.content);
  if (Array.isArray(req.body?.tools) && req.body.tools.length > 0) {
    n += estimateTokens(JSON.stringify(req.body.tools));
  }
  return n;
}

/** The pieces a stream of this generation sends, about one token each. */
export function textPieces(g: Generation): string[] {
  return splitIntoTokens(g.text);
}

/** Number of output pieces (text and tool arguments), which sets how long generating takes. */
export function pieceCount(g: Generation): number {
  return (
    splitIntoTokens(g.text).length + g.toolCalls.reduce((n, c) => n + splitIntoTokens(c.arguments).length, 0)
  );
}

export function resolveLatency(options: MockOpenAIOptions, req: AnswerRequest): number {
  const l = options.latencyMs;
  const v = typeof l === "function" ? l(req) : l;
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0;
}

/**
 * Paces a stream: `start()` waits the time to first token, `beforePiece()` waits until the next
 * piece is due at `tokensPerSecond` (scheduled from the start, so timer jitter does not add up).
 * With `cutAfter`, `beforePiece()` returns false once that many pieces went out: the caller then
 * drops the connection, like a network failure mid-stream.
 */
export class Pacer {
  private t0 = 0;
  private sent = 0;
  constructor(
    private readonly tokensPerSecond: number | undefined,
    private readonly signal: AbortSignal,
    private readonly cutAfter?: number,
  ) {}

  async start(latencyMs: number): Promise<void> {
    await sleep(latencyMs, this.signal);
    this.t0 = Date.now();
    this.sent = 0;
  }

  async beforePiece(): Promise<boolean> {
    if (this.cutAfter !== undefined && this.sent >= this.cutAfter) return false;
    const tps = this.tokensPerSecond;
    if (this.sent > 0 && tps && tps > 0) {
      await sleep(this.t0 + (this.sent * 1000) / tps - Date.now(), this.signal);
    }
    this.sent++;
    return !this.signal.aborted;
  }

  /** Total wait of a non-streaming answer: latency plus the time to generate all pieces. */
  static plainDelay(latencyMs: number, pieces: number, tokensPerSecond?: number): number {
    return latencyMs + (tokensPerSecond && tokensPerSecond > 0 ? (pieces * 1000) / tokensPerSecond : 0);
  }
}
