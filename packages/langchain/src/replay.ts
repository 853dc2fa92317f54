import {
  AIMessageChunk,
  type BaseMessage,
  type BaseMessageChunk,
  type UsageMetadata,
} from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import type { StoredGenerations } from "./generations.js";
import { reviveGenerations } from "./generations.js";
import { type HitUsage, type RecallMetadata, ZERO_USAGE } from "./status.js";

/**
 * A cached answer as a stream of chunks: the text in the pieces it was streamed in (or word by word
 * when it was not streamed), then one last chunk with the tool calls, response metadata, usage and
 * `recall` status. The chunks add up to the cached message.
 */
export function replayChunks(
  body: StoredGenerations,
  meta: RecallMetadata,
  hitUsage: HitUsage,
): ChatGenerationChunk[] {
  const [generation] = reviveGenerations(body);
  const message = (generation as { message?: BaseMessage } | undefined)?.message;
  if (!generation || !message) {
    const text = generation?.text ?? "";
    return [
      new ChatGenerationChunk({
        text,
        message: new AIMessageChunk({ content: text, response_metadata: { recall: meta } }),
      }),
    ];
  }
  const m = message as BaseMessage & {
    tool_calls?: Array<{ id?: string; name: string; args: Record<string, unknown> }>;
    invalid_tool_calls?: Array<{ id?: string; name?: string; args?: string }>;
    usage_metadata?: UsageMetadata;
  };
  const chunks: ChatGenerationChunk[] = [];
  let content: AIMessageChunk["content"] = "";
  if (typeof m.content === "string") {
    for (const piece of piecesOf(m.content, body.pieces)) {
      chunks.push(new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) }));
    }
  } else content = m.content as AIMessageChunk["content"];

  const toolCallChunks = [
    ...(m.tool_calls ?? []).map((c, index) => ({
      type: "tool_call_chunk" as const,
      id: c.id,
      name: c.name,
      args: JSON.stringify(c.args),
      index,
    })),
    ...(m.invalid_tool_calls ?? []).map((c, i) => ({
      type: "tool_call_chunk" as const,
      id: c.id,
      name: c.name,
      args: c.args,
      index: (m.tool_calls?.length ?? 0) + i,
    })),
  ];
  const usage = m.usage_metadata && (hitUsage === "zero" ? { ...ZERO_USAGE } : m.usage_metadata);
  const last = new AIMessageChunk({
    content,
    additional_kwargs: m.additional_kwargs,
    response_metadata: { ...m.response_metadata, recall: meta },
    ...(toolCallChunks.length > 0 ? { tool_call_chunks: toolCallChunks } : {}),
    ...(usage ? { usage_metadata: usage } : {}),
    ...(m.name ? { name: m.name } : {}),
  });
  chunks.push(
    new ChatGenerationChunk({
      text: typeof content === "string" ? content : "",
      message: last,
      ...(generation.generationInfo ? { generationInfo: generation.generationInfo } : {}),
    }),
  );
  return chunks;
}

/** The recorded pieces when they add up to the text (and were a stream), else the text word by word. */
function piecesOf(text: string, recorded: string[] | undefined): string[] {
  const pieces = recorded?.filter((p) => p.length > 0);
  if (pieces && pieces.length > 1 && pieces.join("") === text) return pieces;
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** Collects a passing stream: the message it adds up to and the text of each chunk. */
export class StreamRecorder {
  private message: BaseMessageChunk | undefined;
  private readonly pieces: string[] = [];
  private generationInfo: Record<string, unknown> | undefined;

  add(chunk: ChatGenerationChunk): void {
    this.message = this.message ? this.message.concat(chunk.message) : chunk.message;
    this.pieces.push(chunk.text);
    if (chunk.generationInfo) this.generationInfo = { ...this.generationInfo, ...chunk.generationInfo };
  }

  /** The generation the stream added up to (none if it had no chunk), and the text of each chunk. */
  result(): { generations: ChatGenerationChunk[]; pieces: string[] } {
    if (!this.message) return { generations: [], pieces: [] };
    const generation = new ChatGenerationChunk({
      text: this.message.text,
      message: this.message,
      ...(this.generationInfo ? { generationInfo: this.generationInfo } : {}),
    });
    return { generations: [generation], pieces: this.pieces };
  }
}
