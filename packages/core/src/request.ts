/**
 * The provider-neutral request every adapter translates its SDK's call into.
 *
 * Only what can change an answer belongs here. Abort signals, headers, callbacks and API keys
 * never do, so adapters must leave them out (and `normalizeRequest` has no field for them).
 */

/** Which model answers: the provider (e.g. `openai`) and the model id (e.g. `gpt-4.1`). */
export interface ModelRef {
  provider: string;
  id: string;
}

export interface TextPart {
  type: "text";
  text: string;
}

/**
 * An image, audio clip or file. `data` is a URL or the content itself (base64); the key uses it as
 * given, so adapters should pass large binary content already hashed (`sha256:<hex>`) when they can.
 */
export interface FilePart {
  type: "file";
  mediaType: string;
  data: string;
  filename?: string;
}

export interface ReasoningPart {
  type: "reasoning";
  text: string;
}

export interface ToolCallPart {
  type: "tool-call";
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  toolName: string;
  output: unknown;
  isError?: boolean;
}

export type ContentPart = TextPart | FilePart | ReasoningPart | ToolCallPart | ToolResultPart;

export type Message =
  | { role: "system"; content: string }
  | { role: "user"; content: string | Array<TextPart | FilePart> }
  | { role: "assistant"; content: string | Array<TextPart | FilePart | ReasoningPart | ToolCallPart> }
  | { role: "tool"; content: ToolResultPart[] };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the tool's input. */
  inputSchema?: unknown;
  /** Provider tools (e.g. web search) carry their own settings. */
  args?: unknown;
}

export type ToolChoice = "auto" | "none" | "required" | { type: "tool"; toolName: string };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json"; schema?: unknown; name?: string; description?: string };

/** The parameters that change an answer. Anything else a provider accepts goes in `extra`. */
export interface GenerationParams {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  /** Reasoning effort / budget settings, as the provider names them. */
  reasoning?: unknown;
  /**
   * Provider-specific options that change the answer (never credentials or transport settings).
   * Every own member enters the key, whatever its name: build it with `Object.create(null)` (or
   * from `JSON.parse`) when names come from users, as `obj["__proto__"] = v` on a plain object
   * sets its prototype and the member is lost.
   */
  extra?: Record<string, unknown>;
}

/**
 * One call to a model, as the engine keys it. A chat call (`kind` `chat`, the default) has
 * `messages` and may be matched by meaning. Any other kind (`embedding`, or any JSON API) gives its
 * payload as `input` instead: keyed exactly as it is (no text normalization), never matched by
 * meaning.
 */
export interface CacheRequest {
  model: ModelRef;
  /** The conversation, for chat calls. Required unless `input` is given. */
  messages?: Message[];
  /**
   * The payload of a call that is not a chat (an embeddings input, any JSON body): enters the key
   * exactly as it is. Required when there are no `messages`.
   */
  input?: unknown;
  params?: GenerationParams;
  /**
   * What kind of call this is (`chat`, `embedding`, `completion`, …). Calls of two kinds never share
   * a key. Default `chat`.
   */
  kind?: string;
  /**
   * Credentials the adapter found in the call (an API key in model parameters, say), kept out of
   * the key. Never stored: an answer that contains one of them (8 characters or longer; shorter
   * strings would forbid storing common text) is not stored. Not keyed.
   */
  secrets?: Iterable<string>;
  /**
   * Anything else the answer depends on that is not a message or a parameter, e.g. the ids and
   * versions of retrieved documents in a RAG pipeline. Enters the key (and the semantic partition).
   * Like every part of a request it must be JSON-like: a cyclic value, or one nested deeper than
   * `MAX_KEY_DEPTH`, is not keyed (the call goes through uncached, with an `error` event).
   */
  context?: unknown;
}
