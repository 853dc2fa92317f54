import type { BaseMessage } from "@langchain/core/messages";
import type { FilePart, Message, TextPart, ToolCallPart } from "@recall/core";
import { canonicalJson, fileDigest, sha256 } from "@recall/core/adapter";

/** A conversation in Recall's terms, plus what messages carry that Recall's messages have no field for. */
export interface Conversation {
  messages: Message[];
  /** Message names and unusual roles, by position; enters the key and the semantic partition. */
  context?: Array<{ index: number; name?: string; role?: string }>;
}

type Block = Record<string, unknown> & { type?: unknown };

/**
 * LangChain messages to Recall's. Text stays text (so the last human turn can be matched by
 * meaning); images, audio, files and any other block become a part that names the block's hash
 * (a file's content in it hashed by core's `fileDigest`), so two pictures never share a key and
 * the key stays small.
 */
export function toConversation(input: BaseMessage[]): Conversation {
  const messages: Message[] = [];
  const context: NonNullable<Conversation["context"]> = [];
  input.forEach((message, index) => {
    const type = message.getType();
    const note: { index: number; name?: string; role?: string } = { index };
    if (message.name) note.name = message.name;
    switch (type) {
      case "system":
        messages.push({ role: "system", content: flatText(message.content) });
        break;
      case "ai":
        messages.push({ role: "assistant", content: assistantParts(message) });
        break;
      case "tool":
      case "function": {
        const m = message as BaseMessage & { tool_call_id?: string; status?: string };
        messages.push({
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: m.tool_call_id ?? "",
              toolName: message.name ?? "",
              output: typeof message.content === "string" ? message.content : canonicalJson(message.content),
              ...(m.status === "error" ? { isError: true } : {}),
            },
          ],
        });
        break;
      }
      case "generic": {
        const role = (message as BaseMessage & { role?: string }).role ?? "";
        note.role = role;
        const mapped =
          role === "assistant" || role === "ai" ? "assistant" : role === "system" ? "system" : "user";
        if (mapped === "system") messages.push({ role: "system", content: flatText(message.content) });
        else if (mapped === "assistant")
          messages.push({ role: "assistant", content: assistantParts(message) });
        else messages.push({ role: "user", content: userParts(message.content) });
        break;
      }
      case "human":
        messages.push({ role: "user", content: userParts(message.content) });
        break;
      default:
        // A message type Recall does not know (e.g. "remove"): keep all of it in the key.
        note.role = type;
        messages.push({ role: "user", content: [{ type: "text", text: canonicalJson(message.toDict()) }] });
    }
    if (note.name !== undefined || note.role !== undefined) context.push(note);
  });
  return context.length > 0 ? { messages, context } : { messages };
}

function blocksOf(content: BaseMessage["content"]): Array<string | Block> {
  return typeof content === "string" ? [content] : (content as Array<string | Block>);
}

function textOf(block: string | Block): string | undefined {
  if (typeof block === "string") return block;
  return block.type === "text" && typeof block.text === "string" ? block.text : undefined;
}

/**
 * Block types that carry a file: LangChain's standard blocks, and the OpenAI, Anthropic and Google
 * shapes LangChain hands on to their providers.
 */
const FILE_BLOCKS = new Set([
  "image",
  "audio",
  "video",
  "file",
  "text-plain",
  "document",
  "media",
  "image_url",
  "input_audio",
]);

/** Where those blocks hold a file's content, besides their own `data`, `url` and `image_url`. */
const NESTED: Array<[string, string]> = [
  ["image_url", "url"],
  ["input_audio", "data"],
  ["file", "file_data"],
  ["source", "data"],
  ["source", "url"],
];

/**
 * The hash of a block and everything in it, a file's content (bytes, base64, a data URL or a URL)
 * counted as its `fileDigest`: the same file as bytes, as base64 or as a data URL in the same
 * block is one key. Text sources (Anthropic's `source.type: "text"`) are text, not decoded.
 */
function blockHash(block: Block): string {
  let keyed: Block = block;
  if (FILE_BLOCKS.has(String(block.type))) {
    keyed = digested(digested(digested(block, "data"), "url"), "image_url");
    for (const [outer, inner] of NESTED) {
      const holder = keyed[outer];
      if (typeof holder !== "object" || holder === null || (holder as Block).type === "text") continue;
      keyed = { ...keyed, [outer]: digested(holder, inner) };
    }
  }
  return `sha256:${sha256(canonicalJson(keyed))}`;
}

/** `holder` with its `member` replaced by its `fileDigest` when it holds a string or bytes. */
function digested<T>(holder: T, member: string): T {
  const value = (holder as Block | undefined)?.[member];
  if (typeof value !== "string" && !(value instanceof Uint8Array)) return holder;
  return { ...holder, [member]: fileDigest(value) };
}

/** A block Recall has no part for, named by its hash. */
function blockPart(block: Block): FilePart {
  const type = typeof block.type === "string" ? block.type : "block";
  const mediaType =
    typeof block.mimeType === "string"
      ? block.mimeType
      : typeof block.mime_type === "string"
        ? block.mime_type
        : `application/x-langchain-${type}`;
  return { type: "file", mediaType, data: blockHash(block) };
}

function userParts(content: BaseMessage["content"]): string | Array<TextPart | FilePart> {
  if (typeof content === "string") return content;
  return blocksOf(content).map((block) => {
    const text = textOf(block);
    return text !== undefined ? { type: "text" as const, text } : blockPart(block as Block);
  });
}

function flatText(content: BaseMessage["content"]): string {
  return blocksOf(content)
    .map((block) => textOf(block) ?? `[${(block as Block).type ?? "block"} ${blockHash(block as Block)}]`)
    .join("\n");
}

function assistantParts(message: BaseMessage): string | Array<TextPart | FilePart | ToolCallPart> {
  const calls =
    (message as BaseMessage & { tool_calls?: Array<{ id?: string; name: string; args: unknown }> })
      .tool_calls ?? [];
  const parts: Array<TextPart | FilePart | ToolCallPart> = [];
  for (const block of blocksOf(message.content)) {
    const text = textOf(block);
    if (text !== undefined) {
      if (text) parts.push({ type: "text", text });
    }
    // Provider blocks that repeat a tool call (Anthropic's tool_use) are covered by tool_calls below.
    else if (!(calls.length > 0 && (block as Block).type === "tool_use"))
      parts.push(blockPart(block as Block));
  }
  for (const call of calls)
    parts.push({ type: "tool-call", toolCallId: call.id ?? "", toolName: call.name, input: call.args });
  if (calls.length === 0 && parts.every((p) => p.type === "text"))
    return parts.map((p) => (p as TextPart).text).join("");
  return parts;
}
