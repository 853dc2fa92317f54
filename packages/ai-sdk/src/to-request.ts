import type {
  LanguageModelV4CallOptions,
  LanguageModelV4FunctionTool,
  LanguageModelV4Message,
  LanguageModelV4ProviderTool,
  SharedV4ProviderOptions,
} from "@ai-sdk/provider";
import type { CacheRequest, GenerationParams, Message, ToolChoice, ToolDefinition } from "@recall/core";
import { canonicalJson, collectSecrets, fileDigest, sha256, stripSecrets } from "@recall/core/adapter";
import { withoutRecallMetadata } from "./provider-metadata.js";

export interface ModelIdentity {
  readonly provider: string;
  readonly modelId: string;
}

/**
 * Translates an AI SDK call into core's request: the model's provider and id, the prompt, and every
 * call option that can change the answer. Abort signals, headers, `includeRawChunks` and
 * `providerOptions.recall` are left out; other provider options (e.g. `openai.reasoningEffort`) and
 * the provider options of messages, parts and tools go in, without the credentials they may hold
 * (a gateway's BYOK keys, an MCP tool's `authorization`). Those, and the credentials in the
 * headers, become `request.secrets`: never keyed, and no answer that carries one is stored.
 *
 * `doGenerate` and `doStream` of one prompt make one request (kind `ai-sdk`): they share an entry,
 * and the middleware replays it in the shape each asks for.
 */
export function toCacheRequest(
  model: ModelIdentity,
  params: LanguageModelV4CallOptions,
  context?: unknown,
): CacheRequest {
  const secrets = collectSecrets(params.headers);
  const keyed = (options: unknown) => {
    collectSecrets(options, secrets);
    return stripSecrets(options);
  };
  const promptOptions: unknown[] = [];
  const messages = params.prompt.map((message, index) => toMessage(message, index, promptOptions));
  const request: CacheRequest = {
    model: { provider: model.provider, id: model.modelId },
    messages,
    params: toParams(params, keyed(promptOptions) as unknown[], keyed),
    kind: "ai-sdk",
  };
  if (context !== undefined) request.context = context;
  if (secrets.size > 0) request.secrets = secrets;
  return request;
}

/** Provider options as they enter the key: without credentials (noted in the request's secrets). */
type Keyed = (options: unknown) => unknown;

function toParams(
  params: LanguageModelV4CallOptions,
  promptOptions: unknown[],
  keyed: Keyed,
): GenerationParams {
  const out: GenerationParams = {
    temperature: params.temperature,
    topP: params.topP,
    topK: params.topK,
    maxOutputTokens: params.maxOutputTokens,
    stopSequences: params.stopSequences,
    seed: params.seed,
    presencePenalty: params.presencePenalty,
    frequencyPenalty: params.frequencyPenalty,
    tools: params.tools?.map((tool) => toTool(tool, keyed)),
    toolChoice: toToolChoice(params.toolChoice),
    responseFormat: params.responseFormat,
    reasoning: params.reasoning,
  };
  const extra: Record<string, unknown> = {};
  const providerOptions = withoutRecall(params.providerOptions);
  if (providerOptions) extra.providerOptions = keyed(providerOptions);
  if (promptOptions.length > 0) extra.promptOptions = promptOptions;
  if (Object.keys(extra).length > 0) out.extra = extra;
  return out;
}

/** Provider options without our own `recall` entry (which steers the cache, not the model). */
export function withoutRecall(
  options: SharedV4ProviderOptions | undefined,
): SharedV4ProviderOptions | undefined {
  const rest = withoutRecallMetadata(options);
  return rest && Object.keys(rest).length > 0 ? rest : undefined;
}

function toTool(
  tool: LanguageModelV4FunctionTool | LanguageModelV4ProviderTool,
  keyed: Keyed,
): ToolDefinition {
  if (tool.type === "provider") return { name: tool.name, args: { id: tool.id, args: keyed(tool.args) } };
  const def: ToolDefinition = {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
  };
  if (tool.strict !== undefined || tool.inputExamples || tool.providerOptions) {
    def.args = {
      strict: tool.strict,
      inputExamples: tool.inputExamples,
      providerOptions: keyed(tool.providerOptions),
    };
  }
  return def;
}

function toToolChoice(choice: LanguageModelV4CallOptions["toolChoice"]): ToolChoice | undefined {
  if (!choice) return undefined;
  return choice.type === "tool" ? { type: "tool", toolName: choice.toolName } : choice.type;
}

/**
 * One prompt message in core's shape. Parts core has no type for (tool approvals, custom parts,
 * provider-executed tool results) are kept as they are: they only need to enter the key.
 */
function toMessage(message: LanguageModelV4Message, index: number, promptOptions: unknown[]): Message {
  if (message.providerOptions) promptOptions.push({ message: index, options: message.providerOptions });
  if (message.role === "system") return { role: "system", content: message.content };
  const content = (message.content as Array<{ type: string; providerOptions?: SharedV4ProviderOptions }>).map(
    (part, partIndex) => {
      if (part.providerOptions)
        promptOptions.push({ message: index, part: partIndex, options: part.providerOptions });
      return toPart(part as PromptPart);
    },
  );
  return { role: message.role, content } as Message;
}

type PromptPart = Exclude<LanguageModelV4Message["content"], string>[number];

function toPart(part: PromptPart): unknown {
  switch (part.type) {
    case "text":
    case "reasoning":
      return { type: part.type, text: part.text };
    case "file":
      return { type: "file", mediaType: part.mediaType, data: fileData(part.data), filename: part.filename };
    case "reasoning-file":
      return { type: "reasoning-file", mediaType: part.mediaType, data: fileData(part.data) };
    case "tool-call":
      return {
        type: "tool-call",
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        input: part.input,
        providerExecuted: part.providerExecuted,
      };
    case "tool-result":
      return {
        type: "tool-result",
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        output: part.output,
      };
    case "tool-approval-response":
      return { type: part.type, approvalId: part.approvalId, approved: part.approved, reason: part.reason };
    default: {
      // A custom part, or one a later spec adds: all its fields but its options (collected apart).
      const { providerOptions: _options, ...rest } = part as { providerOptions?: unknown };
      return rest;
    }
  }
}

/**
 * File content as the key sees it: core's `fileDigest` (a URL as itself, inline bytes, base64 or a
 * data URL as the SHA-256 of the bytes), so one file is one key in any form. Inline text is hashed
 * as its UTF-8 bytes, marked `text-` (a provider may send it otherwise than a file of bytes).
 */
function fileData(data: unknown): string {
  if (typeof data === "string" || data instanceof URL || data instanceof Uint8Array) return fileDigest(data);
  const d = data as {
    type?: string;
    url?: URL;
    originalUrl?: string;
    data?: string | Uint8Array;
    reference?: unknown;
    text?: string;
  };
  switch (d?.type) {
    case "url":
      return fileDigest(d.originalUrl ?? d.url ?? "");
    case "data":
      return fileDigest(d.data ?? "");
    case "text":
      return `text-${fileDigest(new TextEncoder().encode(d.text ?? ""))}`;
    case "reference":
      return `reference:${JSON.stringify(Object.entries(d.reference ?? {}).sort())}`;
    default:
      // A shape of file data a later spec adds: no content to decode, so all of it, canonically.
      return `sha256:${sha256(canonicalJson(data ?? null))}`;
  }
}
