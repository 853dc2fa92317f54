import type { Message } from "@recall/core";

/**
 * LangChain hands a `BaseCache` the conversation as one string (`getBufferString`): one
 * `Role: content` line per message, joined by newlines (`System:`, `Human:`, `AI:`, `Tool:` or a
 * custom role). This turns it back into messages so the core can key it and match the last human
 * turn by meaning, with everything before it as the partition.
 *
 * A line that starts with `Human: `, `AI: ` or `System: ` opens a message; any other line continues
 * the one before (so multi-line messages, `Tool:` results and custom roles stay inside the key).
 * The mapping only needs to be deterministic and lose nothing: it only ever sees LangChain's string.
 */
const ROLE_LINE = /^(Human|AI|System): /;
const ROLES = { Human: "user", AI: "assistant", System: "system" } as const;

/**
 * Placeholders `getBufferString` writes instead of images, audio, video and files. Two prompts that
 * differ only in the picture read the same, so such prompts are not cached by `RecallLangChainCache`
 * (use `withRecall`, which sees the real content).
 */
const MEDIA_PLACEHOLDER = /\[(image|audio|video|file)\]/;

export function hasMediaPlaceholder(prompt: string): boolean {
  return MEDIA_PLACEHOLDER.test(prompt);
}

/** The messages of a chat prompt string; a completion prompt is one user message. */
export function promptToMessages(prompt: string, kind: "chat" | "completion"): Message[] {
  if (kind === "completion") return [{ role: "user", content: prompt }];
  const messages: Array<{ role: "user" | "assistant" | "system"; lines: string[] }> = [];
  for (const line of prompt.split("\n")) {
    const role = ROLE_LINE.exec(line);
    if (role)
      messages.push({ role: ROLES[role[1] as keyof typeof ROLES], lines: [line.slice(role[0].length)] });
    else if (messages.length > 0) messages[messages.length - 1]!.lines.push(line);
    // Text before any role line (a custom first role) is kept as a user turn of its own.
    else messages.push({ role: "user", lines: [line] });
  }
  return messages.map(({ role, lines }) => ({ role, content: lines.join("\n") }));
}
