/**
 * What the engine stores and returns. Adapters put their own replayable payload in `body`
 * (a generate result, a recorded stream, an HTTP JSON body) and describe it in the other fields so
 * the engine can validate it and count what it saved, without knowing any SDK.
 */

export type FinishReason =
  | "stop"
  | "length"
  | "content-filter"
  | "tool-calls"
  | "error"
  | "other"
  | "unknown";

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
}

export interface ResponseToolCall {
  toolCallId: string;
  toolName: string;
  /** The tool input as the model produced it: a JSON string, or already parsed. */
  input: unknown;
}

export interface CacheResponse<TBody = unknown> {
  /** The adapter's replayable payload; must survive JSON.stringify/parse (use `reviveDates` helpers). */
  body: TBody;
  /** The answer's text, used by validation (empty check, JSON parse). */
  text?: string;
  finishReason?: FinishReason;
  toolCalls?: ResponseToolCall[];
  usage?: Usage;
  /** The model that actually answered (for pricing), when the provider reports it. */
  modelId?: string;
  /**
   * Set by the adapter when it knows the answer must not be stored, with the reason (e.g. "the
   * upstream sent an incomplete embeddings list"). The reason is reported as `rejectedBecause`.
   */
  doNotStore?: string;
}
