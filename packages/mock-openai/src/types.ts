import type { IncomingHttpHeaders } from "node:http";

/** Which OpenAI endpoint a request went to. */
export type MockEndpoint = "chat" | "responses" | "embeddings" | "models";

/** A chat message flattened to plain text (tool results have role "tool"). */
export interface MockMessage {
  role: string;
  content: string;
}

/** What `answer` (and `latencyMs` as a function) receive for a chat or Responses API call. */
export interface AnswerRequest {
  model: string;
  /** The conversation as plain text; Responses API `instructions` become a leading system message. */
  messages: MockMessage[];
  /** The raw JSON body the client sent. */
  body: any;
  endpoint: "chat" | "responses";
}

/** A tool call the mock model makes. */
export interface MockToolCall {
  name: string;
  /** JSON text of the arguments, as OpenAI sends it. */
  arguments: string;
}

/** Token counts to report instead of the chars/4 estimate. */
export interface MockUsage {
  promptTokens?: number;
  completionTokens?: number;
}

/** What an `answer` function returns: plain text, or text and/or tool calls. */
export type AnswerResult =
  | string
  | {
      text?: string;
      toolCalls?: MockToolCall[];
      /** Chat Completions finish reason; default "tool_calls" when there are tool calls, else "stop". */
      finishReason?: string;
      usage?: MockUsage;
    };

export interface MockOpenAIOptions {
  /** Port to listen on; 0 (default) picks a free one. Host is 127.0.0.1. */
  port?: number;
  /** Simulated time to first token (streaming) or to the response (plain) of chat/Responses calls, in ms. Default 0. */
  latencyMs?: number | ((req: AnswerRequest) => number);
  /** Simulated latency of embedding calls, in ms. Default 0. */
  embedLatencyMs?: number;
  /** Output pace. Streams emit one chunk per ~token at this rate; plain calls wait for the same total time. Default: no delay. */
  tokensPerSecond?: number;
  /** Decides the model's reply. Default: {@link defaultAnswer}, a deterministic answer tagged with `[ans:<id>]`. */
  answer?: (req: AnswerRequest) => AnswerResult | Promise<AnswerResult>;
  /** Embedding function. Default: {@link hashEmbedding} (bag of words and trigrams, normalized). */
  embed?: (text: string, dimensions?: number) => number[];
  /** When set, requests need `Authorization: Bearer <apiKey>`, else 401 in OpenAI's error format. */
  apiKey?: string;
  /** How many requests `server.requests` keeps (oldest dropped first; `count()` stays exact). Default 10 000. */
  maxRecorded?: number;
}

/** One request the server received. */
export interface RecordedRequest {
  endpoint: MockEndpoint;
  model: string;
  body: any;
  headers: IncomingHttpHeaders;
  stream: boolean;
  /** HTTP status the mock answered with (set once the answer starts). */
  status: number;
}

export interface MockOpenAIServer {
  /** Base URL to give a client, e.g. "http://127.0.0.1:4010/v1". */
  readonly url: string;
  readonly port: number;
  /** Every request received since start (or the last reset), oldest first. */
  readonly requests: RecordedRequest[];
  /** Number of requests received, optionally only those to one endpoint. */
  count(endpoint?: MockEndpoint): number;
  /** Forget the recorded requests and counts, and any pending injected failures or cuts. */
  reset(): void;
  /**
   * The next `times` requests (default 1) answer with this HTTP status and an OpenAI error body.
   * `body` may be a message string or a full JSON body to send as-is.
   */
  failNext(status: number, body?: string | object, times?: number): void;
  /**
   * The next streamed chat or Responses API answer drops its connection after `afterPieces`
   * content pieces (default 3), like a network failure mid-stream. Plain requests are not affected.
   */
  cutNextStream(afterPieces?: number): void;
  /** Stop listening and drop open connections (streams in flight are cut). */
  close(): Promise<void>;
}
