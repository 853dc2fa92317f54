import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import { isObject } from "./openai-validate.js";

type Json = Record<string, unknown>;

/** One server-sent event: its text to forward (without the blank line that ends it) and its data. */
export interface SseEvent {
  raw: string;
  /** Its `data:` lines joined by `\n`; `undefined` for a comment or a `retry:` line. */
  data: string | undefined;
}

/** An event written back as SSE text, one `data:` line per line of its data. */
function eventText({ id, event, data }: EventSourceMessage): string {
  const lines = data.split("\n").map((line) => `data: ${line}`);
  if (event !== undefined) lines.unshift(`event: ${event}`);
  if (id !== undefined) lines.unshift(`id: ${id}`);
  return lines.join("\n");
}

/**
 * Splits a stream of server-sent events into events with `eventsource-parser`. Feed it decoded
 * text as it arrives; it keeps an incomplete event until its blank line comes. Comments and
 * `retry:` lines come out as events without data, so they are forwarded too.
 */
export class SseParser {
  private events: SseEvent[] = [];
  private readonly parser: EventSourceParser = createParser({
    onEvent: (message) => this.events.push({ raw: eventText(message), data: message.data }),
    onComment: (comment) => this.events.push({ raw: comment ? `: ${comment}` : ":", data: undefined }),
    onRetry: (ms) => this.events.push({ raw: `retry: ${ms}`, data: undefined }),
  });

  feed(text: string): SseEvent[] {
    this.parser.feed(text);
    return this.events.splice(0);
  }

  /** What is left when the stream ends (an event without its final blank line), if anything. */
  flush(): SseEvent | undefined {
    this.parser.feed("\n\n");
    this.parser.reset();
    const rest = this.events.splice(0);
    if (rest.length === 0) return undefined;
    return { raw: rest.map((e) => e.raw).join("\n"), data: rest.find((e) => e.data !== undefined)?.data };
  }
}

interface ChoiceState {
  content: string;
  refusal: string;
  hasContent: boolean;
  hasRefusal: boolean;
  toolCalls: Array<{ id: string; type: string; name: string; arguments: string }>;
  finishReason: unknown;
  logprobs: { content: unknown[]; refusal: unknown[] } | null;
}

/**
 * Rebuilds the `chat.completion` a stream of `chat.completion.chunk`s adds up to, so a streamed
 * answer is stored in the same form as a plain one and either kind of request can replay it.
 */
export class ChunkAccumulator {
  private head: Json = {};
  private usage: unknown;
  private readonly choices = new Map<number, ChoiceState>();

  add(chunk: Json): void {
    for (const field of ["id", "created", "model", "system_fingerprint", "service_tier"]) {
      if (this.head[field] === undefined && chunk[field] !== undefined && chunk[field] !== null) {
        this.head[field] = chunk[field];
      }
    }
    if (isObject(chunk.usage)) this.usage = chunk.usage;
    for (const c of Array.isArray(chunk.choices) ? (chunk.choices as Json[]) : []) {
      const index = typeof c.index === "number" ? c.index : 0;
      let state = this.choices.get(index);
      if (!state) {
        state = {
          content: "",
          refusal: "",
          hasContent: false,
          hasRefusal: false,
          toolCalls: [],
          finishReason: null,
          logprobs: null,
        };
        this.choices.set(index, state);
      }
      const delta = isObject(c.delta) ? c.delta : {};
      if (typeof delta.content === "string") {
        state.content += delta.content;
        state.hasContent = true;
      }
      if (typeof delta.refusal === "string") {
        state.refusal += delta.refusal;
        state.hasRefusal = true;
      }
      for (const call of Array.isArray(delta.tool_calls) ? (delta.tool_calls as Json[]) : []) {
        const i = typeof call.index === "number" ? call.index : state.toolCalls.length;
        const slot = state.toolCalls[i] ?? { id: "", type: "function", name: "", arguments: "" };
        state.toolCalls[i] = slot;
        if (typeof call.id === "string") slot.id = call.id;
        if (typeof call.type === "string") slot.type = call.type;
        const fn = isObject(call.function) ? call.function : {};
        if (typeof fn.name === "string") slot.name += fn.name;
        if (typeof fn.arguments === "string") slot.arguments += fn.arguments;
      }
      if (c.finish_reason !== undefined && c.finish_reason !== null) state.finishReason = c.finish_reason;
      if (isObject(c.logprobs)) {
        state.logprobs ??= { content: [], refusal: [] };
        if (Array.isArray(c.logprobs.content)) state.logprobs.content.push(...c.logprobs.content);
        if (Array.isArray(c.logprobs.refusal)) state.logprobs.refusal.push(...c.logprobs.refusal);
      }
    }
  }

  completion(): Json {
    const choices = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, s]) => {
        const message: Json = {
          role: "assistant",
          content: s.hasContent || s.toolCalls.length === 0 ? s.content : null,
          refusal: s.hasRefusal ? s.refusal : null,
        };
        if (s.toolCalls.length > 0) {
          message.tool_calls = s.toolCalls.map((t) => ({
            id: t.id,
            type: t.type,
            function: { name: t.name, arguments: t.arguments },
          }));
        }
        return { index, message, logprobs: s.logprobs, finish_reason: s.finishReason };
      });
    return {
      id: this.head.id,
      object: "chat.completion",
      created: this.head.created,
      model: this.head.model,
      choices,
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.head.service_tier !== undefined ? { service_tier: this.head.service_tier } : {}),
      ...(this.head.system_fingerprint !== undefined
        ? { system_fingerprint: this.head.system_fingerprint }
        : {}),
    };
  }
}

/** True for the final usage-only chunk (`choices: []` and a usage object). */
export function isUsageChunk(chunk: Json): boolean {
  return Array.isArray(chunk.choices) && chunk.choices.length === 0 && isObject(chunk.usage);
}

const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

/**
 * Replays a stored `chat.completion` as the `chat.completion.chunk` stream OpenAI sends: a role
 * chunk, the content (in one chunk), each tool call, the finish reason, the usage chunk when the
 * client asked for it (`stream_options.include_usage`), then `data: [DONE]`.
 */
export function replayChatStream(completion: Json, includeUsage: boolean): string {
  const head: Json = {
    id: completion.id,
    object: "chat.completion.chunk",
    created: completion.created,
    model: completion.model,
  };
  if (completion.service_tier !== undefined) head.service_tier = completion.service_tier;
  if (completion.system_fingerprint !== undefined) head.system_fingerprint = completion.system_fingerprint;
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (index: number, delta: Json, finish: unknown = null, logprobs: unknown = null) => ({
    ...head,
    choices: [{ index, delta, logprobs, finish_reason: finish }],
    ...usageField,
  });
  let out = "";
  for (const c of Array.isArray(completion.choices) ? (completion.choices as Json[]) : []) {
    const index = typeof c.index === "number" ? c.index : 0;
    const message = isObject(c.message) ? c.message : {};
    out += event(chunk(index, { role: "assistant", content: "", refusal: null }));
    if (typeof message.content === "string" && message.content !== "") {
      out += event(chunk(index, { content: message.content }, null, c.logprobs ?? null));
    }
    if (typeof message.refusal === "string" && message.refusal !== "") {
      out += event(chunk(index, { refusal: message.refusal }));
    }
    const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : [];
    calls.forEach((call, i) => {
      out += event(
        chunk(index, {
          tool_calls: [{ index: i, id: call.id, type: call.type ?? "function", function: call.function }],
        }),
      );
    });
    out += event(chunk(index, {}, c.finish_reason ?? "stop"));
  }
  if (includeUsage && isObject(completion.usage))
    out += event({ ...head, choices: [], usage: completion.usage });
  return `${out}data: [DONE]\n\n`;
}
