import type { MockMessage } from "./types";

/** A function tool offered by the client, in a shape common to both APIs. */
export interface ToolSpec {
  name: string;
  parameters: unknown;
}

export type ToolChoice = "auto" | "none" | "required" | { name: string };

export type OutputFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; schema: unknown; name?: string };

/** Text of a message `content`: a string, or an array of text parts (`text`, `input_text`, `output_text`). */
export function contentToText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (typeof part === "string" ? part : typeof part?.text === "string" ? part.text : ""))
    .filter((t) => t.length > 0)
    .join("\n");
}

/** Flattens Chat Completions `messages` to role + text. Tool results keep role "tool". */
export function chatMessages(body: any): MockMessage[] {
  const messages = Array.isArray(body?.messages) ? body.messages : [];
  return messages.map((m: any) => {
    let content = contentToText(m?.content);
    if (!content && Array.isArray(m?.tool_calls)) {
      content = m.tool_calls
        .map((c: any) => `${c?.function?.name}(${c?.function?.arguments ?? ""})`)
        .join("\n");
    }
    return { role: String(m?.role ?? "user"), content };
  });
}

/**
 * Flattens a Responses API request: `instructions` become a system message, a string `input`
 * a user message, `function_call_output` items tool messages, `function_call` items assistant messages.
 */
export function responsesMessages(body: any): MockMessage[] {
  const out: MockMessage[] = [];
  if (typeof body?.instructions === "string" && body.instructions) {
    out.push({ role: "system", content: body.instructions });
  }
  const input = body?.input;
  if (typeof input === "string") {
    out.push({ role: "user", content: input });
    return out;
  }
  if (!Array.isArray(input)) return out;
  for (const item of input) {
    if (item?.type === "function_call_output") {
      out.push({ role: "tool", content: contentToText(item.output) });
    } else if (item?.type === "function_call") {
      out.push({ role: "assistant", content: `${item.name}(${item.arguments ?? ""})` });
    } else if (item?.role) {
      out.push({ role: String(item.role), content: contentToText(item.content) });
    }
  }
  return out;
}

/** The function tools of a request (Chat Completions nests them under `function`, Responses does not). */
export function requestTools(body: any): ToolSpec[] {
  if (!Array.isArray(body?.tools)) return [];
  const tools: ToolSpec[] = [];
  for (const t of body.tools) {
    if (t?.type !== "function") continue;
    const fn = t.function ?? t;
    if (typeof fn?.name === "string") tools.push({ name: fn.name, parameters: fn.parameters ?? {} });
  }
  return tools;
}

export function requestToolChoice(body: any): ToolChoice {
  const c = body?.tool_choice;
  if (c === "none" || c === "required" || c === "auto") return c;
  if (c && typeof c === "object") {
    const name = c.function?.name ?? c.name;
    if (typeof name === "string") return { name };
  }
  return "auto";
}

/** Chat Completions `response_format` or Responses API `text.format`. */
export function requestOutputFormat(body: any, endpoint: "chat" | "responses"): OutputFormat {
  const f = endpoint === "chat" ? body?.response_format : body?.text?.format;
  if (f?.type === "json_object") return { type: "json_object" };
  if (f?.type === "json_schema") {
    // Chat nests the schema under `json_schema`; the Responses API puts it on the format itself.
    const spec = endpoint === "chat" ? f.json_schema : f;
    return { type: "json_schema", schema: spec?.schema ?? {}, name: spec?.name };
  }
  return { type: "text" };
}

/** The text of the last user message ("" when there is none). */
export function lastUserMessage(messages: MockMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") return messages[i]?.content ?? "";
  }
  return "";
}
