import type { ServerResponse } from "node:http";
import { type Generation, Pacer, pieceCount, textPieces } from "./generation";
import { cutConnection, nowSeconds, randomId, sendJson, sleep, startEventStream } from "./http-util";
import { splitIntoTokens } from "./tokens";

interface OutputIds {
  messageId: string;
  callIds: string[];
}

function responsesUsage(g: Generation) {
  return {
    input_tokens: g.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: g.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: g.promptTokens + g.completionTokens,
  };
}

function messageItem(id: string, text: string, status: string) {
  return {
    id,
    type: "message",
    status,
    content: status === "in_progress" ? [] : [{ type: "output_text", annotations: [], logprobs: [], text }],
    role: "assistant",
  };
}

function functionCallItem(id: string, call: Generation["toolCalls"][number], args: string, status: string) {
  return { id, type: "function_call", status, arguments: args, call_id: call.id, name: call.name };
}

function completedOutput(g: Generation, ids: OutputIds) {
  const output: unknown[] = [];
  if (g.text || g.toolCalls.length === 0) output.push(messageItem(ids.messageId, g.text, "completed"));
  g.toolCalls.forEach((c, i) => {
    output.push(functionCallItem(ids.callIds[i]!, c, c.arguments, "completed"));
  });
  return output;
}

/** The `response` object shell, echoing the request's settings like the real API does. */
function responseObject(
  id: string,
  createdAt: number,
  model: string,
  body: any,
  status: "in_progress" | "completed" | "incomplete",
  output: unknown[],
  g: Generation | null,
) {
  return {
    id,
    object: "response",
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: body?.instructions ?? null,
    max_output_tokens: body?.max_output_tokens ?? null,
    max_tool_calls: null,
    model,
    output,
    parallel_tool_calls: body?.parallel_tool_calls ?? true,
    previous_response_id: body?.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    store: body?.store ?? true,
    temperature: body?.temperature ?? 1,
    text: body?.text ?? { format: { type: "text" }, verbosity: "medium" },
    tool_choice: body?.tool_choice ?? "auto",
    tools: Array.isArray(body?.tools) ? body.tools : [],
    top_logprobs: 0,
    top_p: body?.top_p ?? 1,
    truncation: "disabled",
    usage: g ? responsesUsage(g) : null,
    user: null,
    metadata: body?.metadata ?? {},
  };
}

function newIds(g: Generation): OutputIds {
  return { messageId: randomId("msg_", 24), callIds: g.toolCalls.map(() => randomId("fc_", 24)) };
}

/** Answers `POST /v1/responses` without streaming: a `response` object. */
export async function sendResponse(
  res: ServerResponse,
  model: string,
  body: any,
  g: Generation,
  latencyMs: number,
  tokensPerSecond: number | undefined,
  signal: AbortSignal,
): Promise<void> {
  await sleep(Pacer.plainDelay(latencyMs, pieceCount(g), tokensPerSecond), signal);
  const status = g.truncated ? "incomplete" : "completed";
  sendJson(
    res,
    200,
    responseObject(
      randomId("resp_", 24),
      nowSeconds(),
      model,
      body,
      status,
      completedOutput(g, newIds(g)),
      g,
    ),
  );
}

/**
 * Answers `POST /v1/responses` with `stream: true`, emitting the typed events the SDKs parse:
 * response.created, response.in_progress, response.output_item.added, response.content_part.added,
 * response.output_text.delta…, response.output_text.done, response.content_part.done,
 * response.output_item.done, function_call_arguments delta/done for tool calls, and finally
 * response.completed (or response.incomplete when cut at max_output_tokens) with usage.
 */
export async function streamResponse(
  res: ServerResponse,
  model: string,
  body: any,
  g: Generation,
  latencyMs: number,
  pacer: Pacer,
): Promise<void> {
  await pacer.start(latencyMs);
  const sse = startEventStream(res);
  const id = randomId("resp_", 24);
  const createdAt = nowSeconds();
  const ids = newIds(g);
  let seq = 0;
  const send = (type: string, data: Record<string, unknown>) =>
    sse.write({ type, sequence_number: seq++, ...data }, type);
  const paced = async (type: string, data: Record<string, unknown>) => {
    if (!(await pacer.beforePiece())) {
      cutConnection(res);
      return false;
    }
    return send(type, data);
  };

  const shell = responseObject(id, createdAt, model, body, "in_progress", [], null);
  if (!send("response.created", { response: shell })) return;
  if (!send("response.in_progress", { response: shell })) return;

  let outputIndex = 0;
  if (g.text || g.toolCalls.length === 0) {
    const itemId = ids.messageId;
    const base = { item_id: itemId, output_index: outputIndex, content_index: 0 };
    send("response.output_item.added", {
      output_index: outputIndex,
      item: messageItem(itemId, "", "in_progress"),
    });
    send("response.content_part.added", {
      ...base,
      part: { type: "output_text", annotations: [], logprobs: [], text: "" },
    });
    for (const piece of textPieces(g)) {
      if (!(await paced("response.output_text.delta", { ...base, delta: piece, logprobs: [] }))) return;
    }
    send("response.output_text.done", { ...base, text: g.text, logprobs: [] });
    send("response.content_part.done", {
      ...base,
      part: { type: "output_text", annotations: [], logprobs: [], text: g.text },
    });
    if (
      !send("response.output_item.done", {
        output_index: outputIndex,
        item: messageItem(itemId, g.text, "completed"),
      })
    )
      return;
    outputIndex++;
  }
  for (const [i, call] of g.toolCalls.entries()) {
    const itemId = ids.callIds[i]!;
    send("response.output_item.added", {
      output_index: outputIndex,
      item: functionCallItem(itemId, call, "", "in_progress"),
    });
    for (const piece of splitIntoTokens(call.arguments)) {
      const ok = await paced("response.function_call_arguments.delta", {
        item_id: itemId,
        output_index: outputIndex,
        delta: piece,
      });
      if (!ok) return;
    }
    send("response.function_call_arguments.done", {
      item_id: itemId,
      output_index: outputIndex,
      name: call.name,
      arguments: call.arguments,
    });
    if (
      !send("response.output_item.done", {
        output_index: outputIndex,
        item: functionCallItem(itemId, call, call.arguments, "completed"),
      })
    )
      return;
    outputIndex++;
  }
  const status = g.truncated ? "incomplete" : "completed";
  send(`response.${status}`, {
    response: responseObject(id, createdAt, model, body, status, completedOutput(g, ids), g),
  });
  sse.end();
}
