import { createHash } from "node:crypto";
import { sampleFromSchema } from "./json-sample";
import { lastUserMessage, requestOutputFormat, requestToolChoice, requestTools } from "./request-view";
import type { AnswerRequest, AnswerResult } from "./types";

/** The normalization the answer id uses: NFKC, lower case, single spaces, no trailing punctuation. */
export function normalizeQuestion(question: string): string {
  return question
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\s?!.。？！]+$/u, "");
}

/**
 * The stable id the default answer carries as `[ans:<id>]`: the first 8 hex digits of the
 * SHA-256 of the normalized question. Lets a demo check which question an answer belongs to.
 */
export function answerIdFor(question: string): string {
  return createHash("sha256").update(normalizeQuestion(question)).digest("hex").slice(0, 8);
}

/** Finds the `[ans:<id>]` tag in a text, if any. */
export function extractAnswerId(text: string): string | undefined {
  return /\[ans:([0-9a-f]{8})\]/.exec(text)?.[1];
}

const OPENERS: ((topic: string) => string)[] = [
  (t) =>
    `Regarding "${t}", the short answer is that it depends on a few well-understood factors, and context is usually the most important one.`,
  (t) =>
    `Here is a concise answer to "${t}": start from the basic definition, then look at how it applies in practice.`,
  (t) =>
    `"${t}" is a common question; the usual explanation combines one clear principle with a couple of practical caveats.`,
  (t) =>
    `To answer "${t}" briefly: the widely accepted view is straightforward, although the details matter in edge cases.`,
];

const MIDDLES = [
  "In most everyday situations the standard approach works well, so it is a sensible default.",
  "If you need more precision, check the primary documentation or another authoritative reference.",
  "A small concrete example usually makes this clearer than an abstract definition.",
  "Experts broadly agree on the core idea, while still debating some of the finer points.",
  "Keep in mind that assumptions, units and versions can change the result noticeably.",
  "Most of the confusion comes from mixing up two closely related concepts.",
];

const CLOSERS = [
  "Let me know if you would like a deeper explanation or a worked example.",
  "I can go into more detail on any part of this if it helps.",
  "",
  "",
];

/** The question as answers quote it: normalized, so equal questions get identical answers. */
function topicOf(question: string): string {
  const t = normalizeQuestion(question);
  if (!t) return "your request";
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/**
 * The default answer text for a question: `[ans:<id>]` followed by two or three sentences that
 * quote the normalized question; identical for questions that normalize the same.
 */
export function answerTextFor(question: string): string {
  const digest = createHash("sha256").update(normalizeQuestion(question)).digest();
  const id = digest.toString("hex").slice(0, 8);
  const topic = topicOf(question);
  const parts = [
    `[ans:${id}]`,
    OPENERS[digest[4]! % OPENERS.length]!(topic),
    MIDDLES[digest[5]! % MIDDLES.length]!,
    CLOSERS[digest[6]! % CLOSERS.length]!,
  ];
  return parts.filter(Boolean).join(" ");
}

/**
 * What the mock model says when no `answer` option is given:
 * - tools offered (and `tool_choice` not "none") and the last message is not a tool result:
 *   a call to the chosen tool (or the first one) with arguments built from its JSON schema;
 * - after a tool result: a text answer that quotes the result;
 * - JSON mode (`json_object`): `{"answer": "<text>"}`; `json_schema`: an object matching the schema;
 * - otherwise {@link answerTextFor} the last user message.
 * Exported so a custom `answer` can fall back to it.
 */
export function defaultAnswer(req: AnswerRequest): AnswerResult {
  const question = lastUserMessage(req.messages);
  const topic = topicOf(question);
  const last = req.messages[req.messages.length - 1];
  const tools = requestTools(req.body);
  const choice = requestToolChoice(req.body);

  if (tools.length > 0 && choice !== "none" && last?.role !== "tool") {
    const tool =
      typeof choice === "object" ? (tools.find((t) => t.name === choice.name) ?? tools[0]!) : tools[0]!;
    const args = sampleFromSchema(tool.parameters, () => topic);
    return { toolCalls: [{ name: tool.name, arguments: JSON.stringify(args) }] };
  }

  let text = answerTextFor(question);
  if (last?.role === "tool") {
    const result = last.content.replace(/\s+/g, " ").trim();
    const snippet = result.length > 120 ? `${result.slice(0, 117)}...` : result;
    text = `[ans:${answerIdFor(question)}] Based on the tool result (${snippet}), here is the answer to "${topic}": the result above is the relevant information.`;
  }

  const format = requestOutputFormat(req.body, req.endpoint);
  if (format.type === "json_object") return JSON.stringify({ answer: text });
  if (format.type === "json_schema") {
    let first = true;
    const value = sampleFromSchema(format.schema, () => {
      if (!first) return topic;
      first = false;
      return text;
    });
    return JSON.stringify(value);
  }
  return text;
}
