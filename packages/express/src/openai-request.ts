import type {
  CacheRequest,
  FilePart,
  GenerationParams,
  Message,
  ResponseFormat,
  TextPart,
  ToolCallPart,
  ToolChoice,
  ToolDefinition,
} from "@recall/core";
import { canonicalJson, fileDigest, sha256 } from "@recall/core/adapter";
import { isObject, validateChatBody } from "./openai-validate.js";

type Json = Record<string, unknown>;

/** An OpenAI-style chat call as the proxy sees it. */
export interface ChatCall {
  request: CacheRequest;
  stream: boolean;
  /** `stream_options.include_usage`: the client wants the final usage chunk. */
  includeUsage: boolean;
  /** Why the call cannot be cached (several choices, audio output), if it cannot. */
  uncacheable?: string;
}

/**
 * Body fields that never change the answer: transport, bookkeeping and billing. Everything else
 * that is not mapped to a named parameter goes into `params.extra`, so an unknown field errs on the
 * side of a separate entry rather than a wrong answer.
 */
const IGNORED = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "user",
  "metadata",
  "store",
  "service_tier",
  "safety_identifier",
  "prompt_cache_key",
  "prompt_cache_retention",
  "n",
]);
const MAPPED = new Set([
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "tools",
  "tool_choice",
  "response_format",
  "reasoning_effort",
]);

const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/**
 * Validates an OpenAI chat completions body (throws an `ApiError`) and translates it into the
 * cache request: the model, the messages, and the parameters that change the answer. The API key,
 * headers, `user`, `metadata` and streaming options never enter it.
 */
export function chatCallFromBody(raw: unknown, provider = "openai"): ChatCall {
  const body = validateChatBody(raw);
  const stream = body.stream === true;
  const includeUsage = stream && isObject(body.stream_options) && body.stream_options.include_usage === true;
  let uncacheable: string | undefined;
  if (typeof body.n === "number" && body.n > 1) uncacheable = "n > 1";
  else if (body.audio !== undefined && body.audio !== null) uncacheable = "audio output";
  const request: CacheRequest = {
    model: { provider, id: body.model as string },
    messages: toMessages(body.messages as Json[]),
    params: toParams(body),
  };
  return { request, stream, includeUsage, ...(uncacheable ? { uncacheable } : {}) };
}

/**
 * The cache request of an OpenAI-style chat body, or undefined when it is not one, or asks for a
 * stream or several choices (the default of `routeCache`, which caches JSON answers only).
 */
export function openAIChatRequest(body: unknown, provider = "openai"): CacheRequest | undefined {
  try {
    const call = chatCallFromBody(body, provider);
    return call.uncacheable || call.stream ? undefined : call.request;
  } catch {
    return undefined;
  }
}

function toParams(body: Json): GenerationParams {
  const params: GenerationParams = {};
  params.temperature = num(body.temperature);
  params.topP = num(body.top_p);
  params.maxOutputTokens = num(body.max_completion_tokens) ?? num(body.max_tokens);
  if (typeof body.stop === "string") params.stopSequences = [body.stop];
  else if (Array.isArray(body.stop)) params.stopSequences = body.stop as string[];
  params.seed = num(body.seed);
  params.presencePenalty = num(body.presence_penalty);
  params.frequencyPenalty = num(body.frequency_penalty);
  if (Array.isArray(body.tools)) params.tools = (body.tools as Json[]).map(toTool);
  // Null prototype: a body field named `__proto__` (an own property after JSON.parse) stays a
  // member here, and so in the key, instead of replacing the object's prototype.
  const extra: Json = Object.create(null);
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    const choice = toToolChoice(body.tool_choice);
    if (choice) params.toolChoice = choice;
    else extra.tool_choice = body.tool_choice;
  }
  if (isObject(body.response_format)) {
    const format = toResponseFormat(body.response_format);
    if (format) params.responseFormat = format;
    else extra.response_format = body.response_format;
    if (isObject(body.response_format.json_schema) && body.response_format.json_schema.strict !== undefined) {
      extra.json_schema_strict = body.response_format.json_schema.strict;
    }
  }
  if (body.reasoning_effort !== undefined && body.reasoning_effort !== null)
    params.reasoning = body.reasoning_effort;
  for (const [name, value] of Object.entries(body)) {
    if (IGNORED.has(name) || MAPPED.has(name) || value === undefined || value === null) continue;
    extra[extraName(name)] = value;
  }
  const names = (body.messages as Json[]).flatMap((m, i) =>
    typeof m.name === "string" ? [[i, m.name]] : [],
  );
  if (names.length > 0) extra.message_names = Object.fromEntries(names);
  if (Object.keys(extra).length > 0) params.extra = extra;
  return params;
}

/** Names the proxy itself adds to `params.extra`, besides the body's own unmapped fields. */
const DERIVED = new Set(["message_names", "json_schema_strict"]);

/**
 * The name of a body field in `params.extra`: its own, unless it could pass for a derived entry
 * (a body field named `message_names` must not share a key with messages that have names), then
 * escaped with a `$` (as is any name that starts with one, so that the escaping is one-to-one).
 */
function extraName(name: string): string {
  return DERIVED.has(name) || name.startsWith("$") ? `$${name}` : name;
}

function toTool(tool: Json): ToolDefinition {
  if (tool.type === "function" && isObject(tool.function)) {
    const fn = tool.function;
    return {
      name: String(fn.name ?? ""),
      ...(typeof fn.description === "string" ? { description: fn.description } : {}),
      ...(fn.parameters !== undefined ? { inputSchema: fn.parameters } : {}),
      ...(fn.strict !== undefined ? { args: { strict: fn.strict } } : {}),
    };
  }
  if (tool.type === "custom" && isObject(tool.custom)) {
    const { name, description, ...rest } = tool.custom;
    return {
      name: String(name ?? ""),
      ...(typeof description === "string" ? { description } : {}),
      args: { type: "custom", ...rest },
    };
  }
  return { name: String(tool.type), args: tool };
}

function toToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  if (isObject(choice)) {
    const named = isObject(choice.function)
      ? choice.function
      : isObject(choice.custom)
        ? choice.custom
        : undefined;
    if (named && typeof named.name === "string") return { type: "tool", toolName: named.name };
  }
  return undefined;
}

function toResponseFormat(format: Json): ResponseFormat | undefined {
  if (format.type === "text") return { type: "text" };
  if (format.type === "json_object") return { type: "json" };
  if (format.type === "json_schema" && isObject(format.json_schema)) {
    const s = format.json_schema;
    return {
      type: "json",
      ...(s.schema !== undefined ? { schema: s.schema } : {}),
      ...(typeof s.name === "string" ? { name: s.name } : {}),
      ...(typeof s.description === "string" ? { description: s.description } : {}),
    };
  }
  return undefined;
}

function toMessages(messages: Json[]): Message[] {
  const toolNames = new Map<string, string>();
  const out: Message[] = [];
  for (const m of messages) out.push(toMessage(m, toolNames));
  return out;
}

function toMessage(m: Json, toolNames: Map<string, string>): Message {
  switch (m.role) {
    case "system":
    case "developer":
      return { role: "system", content: textOf(m.content) };
    case "user":
      return {
        role: "user",
        content: typeof m.content === "string" ? m.content : (m.content as Json[]).map(toPart),
      };
    case "assistant":
      return { role: "assistant", content: assistantContent(m, toolNames) };
    case "tool": {
      const id = String(m.tool_call_id);
      return {
        role: "tool",
        content: [
          { type: "tool-result", toolCallId: id, toolName: toolNames.get(id) ?? "", output: m.content },
        ],
      };
    }
    default:
      // The legacy `function` role: a function's result.
      return {
        role: "tool",
        content: [{ type: "tool-result", toolCallId: "", toolName: String(m.name ?? ""), output: m.content }],
      };
  }
}

function assistantContent(
  m: Json,
  toolNames: Map<string, string>,
): string | Array<TextPart | FilePart | ToolCallPart> {
  const parts: Array<TextPart | FilePart | ToolCallPart> = [];
  if (typeof m.content === "string") parts.push({ type: "text", text: m.content });
  else if (Array.isArray(m.content)) parts.push(...(m.content as Json[]).map(toPart));
  if (typeof m.refusal === "string") parts.push({ type: "text", text: `[refusal] ${m.refusal}` });
  if (isObject(m.audio))
    parts.push({ type: "file", mediaType: "audio/x-openai-id", data: String(m.audio.id) });
  for (const call of Array.isArray(m.tool_calls) ? (m.tool_calls as Json[]) : []) {
    const fn = isObject(call.function) ? call.function : isObject(call.custom) ? call.custom : {};
    const name = String(fn.name ?? "");
    const id = String(call.id ?? "");
    toolNames.set(id, name);
    parts.push({
      type: "tool-call",
      toolCallId: id,
      toolName: name,
      input: fn.arguments ?? fn.input ?? null,
    });
  }
  if (isObject(m.function_call)) {
    const fn = m.function_call;
    parts.push({
      type: "tool-call",
      toolCallId: "",
      toolName: String(fn.name ?? ""),
      input: fn.arguments ?? null,
    });
  }
  if (parts.length === 1 && parts[0]!.type === "text") return parts[0]!.text;
  return parts;
}

/**
 * The text of a system message. A part other than text (which OpenAI refuses there, but another
 * compatible provider may take) enters as the part the user turn would make of it (a file by its
 * digest, anything else by its hash), so two such messages never share a key.
 */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  return (content as Json[])
    .map((p) => {
      if (p.type === "text") return p.text as string;
      const part = toPart(p);
      return part.type === "file" ? `[${String(p.type)} ${part.mediaType} ${part.data}]` : part.text;
    })
    .join("\n");
}

/** A part's canonical hash (key order does not matter; own `__proto__` members count). */
function partHash(part: Json): string {
  return `sha256:${sha256(canonicalJson(part))}`;
}

/** A user part: text as text; an image, audio clip or file by its URL or core's `fileDigest` of its content. */
function toPart(part: Json): TextPart | FilePart {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text as string };
    case "refusal":
      return { type: "text", text: `[refusal] ${String(part.refusal)}` };
    case "image_url": {
      const image = isObject(part.image_url) ? part.image_url : {};
      const detail = typeof image.detail === "string" ? `;detail=${image.detail}` : "";
      return { type: "file", mediaType: `image/*${detail}`, data: fileDigest(String(image.url ?? "")) };
    }
    case "input_audio": {
      const audio = isObject(part.input_audio) ? part.input_audio : {};
      return {
        type: "file",
        mediaType: `audio/${String(audio.format ?? "*")}`,
        data: fileDigest(String(audio.data ?? "")),
      };
    }
    case "file": {
      const file = isObject(part.file) ? part.file : {};
      const data = typeof file.file_id === "string" ? file.file_id : fileDigest(String(file.file_data ?? ""));
      return {
        type: "file",
        mediaType: "application/octet-stream",
        data,
        ...(typeof file.filename === "string" ? { filename: file.filename } : {}),
      };
    }
    default:
      // A part type we do not know still separates entries: it enters the key as its hash.
      return {
        type: "file",
        mediaType: `x-openai/${String(part.type)}`,
        data: partHash(part),
      };
  }
}
