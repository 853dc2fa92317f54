import type { BaseMessage } from "@langchain/core/messages";
import type { FilePart, Message, TextPart, ToolCallPart } from "@recall/core";
import { canonicalJson, sha256 } from "@recall/core/adapter";

/** A conversation in Recall's terms, plus what messages carry that Recall's messages have no field for. */
export interface Conversation {
  messages: Message[];
  /** Message names and unusual roles, by position; enters the key and the semantic partition. */
  context?: Array<{ index: number; name?: string; role?: string }>;
}

type Block = Record<string, unknown> & { type?: unknown };

/**
 * LangChain messages to Recall's. Text stays text (so the last human turn can be matched by
 * meaning); images, audio, files and any other block become a part that names the block's hash, so
 * two pictures never share a key and the key stays small.
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

/** A block Recall has no part for, named by the hash of everything in it. */
function blockPart(block: Block): FilePart {
  const type = typeof block.type === "string" ? block.type : "block";
  const mediaType =
    typeof block.mimeType === "string"
      ? block.mimeType
      : typeof block.mime_type === "string"
        ? block.mime_type
        : `application/x-langchain-${type}`;
  return { type: "file", mediaType, data: `sha256:${sha256(canonicalJson(block))}` };
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
    .map(
      (block) =>
        textOf(block) ?? `[${(block as Block).type ?? "block"} sha256:${sha256(canonicalJson(block))}]`,
    )
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
