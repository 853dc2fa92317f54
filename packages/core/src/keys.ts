import { createHash } from "node:crypto";
import { errorCodes, RecallError } from "./errors.js";
import { canonicalJson, type NormalizeOptions, normalizeText } from "./normalize.js";
import type { CacheRequest, ContentPart, Message } from "./request.js";

/** Bumped whenever the canonical form changes, so old entries are never misread. */
export const KEY_FORMAT_VERSION = "v2";

/** The part every key of one namespace starts with (before `:<hash>`). */
export function keyScope(prefix: string, namespace: string): string {
  return `${prefix}:${KEY_FORMAT_VERSION}:${encodeURIComponent(namespace)}`;
}

export interface RequestKeys {
  /** The exact-match key: prefix, format version, namespace and the SHA-256 of the canonical request. */
  key: string;
  /**
   * The hard partition for semantic matching: everything but the last user turn (model, system
   * prompt, tools, parameters, earlier turns, context, namespace), hashed. Present only when the
   * request can be matched by meaning (its last message is a user turn of plain text).
   */
  partition?: string;
  /** The last user turn's text, normalized: what semantic matching compares. */
  question?: string;
}

export interface KeyOptions extends NormalizeOptions {
  prefix: string;
  namespace: string;
  /** Also derive the semantic partition and question (skipped by caches without semantic matching). Default true. */
  semantic?: boolean;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Derives the exact key and the semantic partition of a request. Throws on a malformed request. */
export function requestKeys(request: CacheRequest, options: KeyOptions): RequestKeys {
  if (!request || typeof request !== "object") {
    throw new RecallError(errorCodes.INVALID_REQUEST, "a request must be an object");
  }
  if (!request.model?.provider || !request.model?.id) {
    throw new RecallError(errorCodes.INVALID_REQUEST, "request.model needs a provider and an id");
  }
  const hasMessages = Array.isArray(request.messages) && request.messages.length > 0;
  if (!hasMessages && request.input === undefined) {
    throw new RecallError(
      errorCodes.INVALID_REQUEST,
      "request.messages must be a non-empty array (or give a non-chat call's payload as request.input)",
    );
  }
  const { secrets: _secrets, ...keyed } = request;
  assertKeyable(keyed);
  const head = {
    kind: request.kind ?? "chat",
    model: `${request.model.provider}:${request.model.id}`,
    params: request.params ?? {},
    context: request.context ?? null,
  };
  const scope = keyScope(options.prefix, options.namespace);
  if (!hasMessages) {
    // Not a chat: the payload is keyed exactly as given, and never matched by meaning.
    return { key: `${scope}:${sha256(canonicalJson({ ...head, input: request.input }))}` };
  }
  const messages = request.messages!.map((m) => normalizeMessage(m, options));
  const input = request.input === undefined ? {} : { input: request.input };
  const key = `${scope}:${sha256(canonicalJson({ ...head, messages, ...input }))}`;

  // The question keeps its case even when keys fold it: the guard reads capitals as names.
  const last = request.messages![request.messages!.length - 1]!;
  const raw = options.semantic !== false && last.role === "user" ? plainText(last.content) : undefined;
  const question = raw === undefined ? undefined : normalizeText(raw);
  if (question === undefined || question.length === 0) return { key };
  const partition = sha256(
    canonicalJson({ ...head, ...input, namespace: options.namespace, earlier: messages.slice(0, -1) }),
  );
  return { key, partition, question };
}

/** Deepest nesting of objects and arrays a request may have to be keyed (the request is level 1). */
export const MAX_KEY_DEPTH = 256;
/** Most values a request may hold to be keyed (counting a shared object once per place it occurs). */
export const MAX_KEY_VALUES = 10_000_000;

/**
 * Throws `RECALL_INVALID_REQUEST` when a request is too deep, cyclic or too large to key, before
 * anything recursive (canonical JSON, `JSON.stringify`) walks it and overflows the stack. It walks
 * with an explicit stack, so it never overflows itself. The cache turns the error into an `error`
 * event and passes the call through uncached: a cache problem never fails the LLM call.
 */
function assertKeyable(request: Omit<CacheRequest, "secrets">): void {
  interface Frame {
    value: object;
    depth: number;
    parent: Frame | undefined;
    key: string;
    /** Set once the frame's members are pushed: popping it again means leaving it. */
    leaving?: boolean;
  }
  const path = (frame: Frame) => {
    const keys: string[] = [];
    for (let f: Frame | undefined = frame; f; f = f.parent) keys.push(f.key);
    const joined = keys.reverse().join("");
    return joined.length > 200 ? `${joined.slice(0, 200)}…` : joined;
  };
  const onPath = new Set<object>();
  const stack: Frame[] = [{ value: request, depth: 1, parent: undefined, key: "request" }];
  let values = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.leaving) {
      onPath.delete(frame.value);
      continue;
    }
    if (onPath.has(frame.value)) {
      throw new RecallError(errorCodes.INVALID_REQUEST, `${path(frame)} is cyclic: it contains itself`);
    }
    if (frame.depth > MAX_KEY_DEPTH) {
      throw new RecallError(
        errorCodes.INVALID_REQUEST,
        `${path(frame)} is nested deeper than ${MAX_KEY_DEPTH} levels`,
      );
    }
    frame.leaving = true;
    stack.push(frame);
    onPath.add(frame.value);
    const value = frame.value;
    if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof URL) continue;
    const array = Array.isArray(value);
    const names = array ? undefined : Object.keys(value);
    const length = array ? (value as unknown[]).length : names!.length;
    values += length;
    if (values > MAX_KEY_VALUES) {
      throw new RecallError(
        errorCodes.INVALID_REQUEST,
        `the request holds more than ${MAX_KEY_VALUES} values`,
      );
    }
    for (let i = 0; i < length; i++) {
      const name = array ? i : names![i]!;
      const member = (value as Record<string | number, unknown>)[name];
      if (typeof member !== "object" || member === null) continue;
      const key = array ? `[${name}]` : `.${String(name)}`;
      stack.push({ value: member, depth: frame.depth + 1, parent: frame, key });
    }
  }
}

function normalizeMessage(message: Message, options: NormalizeOptions): Message {
  const role = message.role;
  if (typeof message.content === "string") {
    return { role, content: normalizeText(message.content, options) } as Message;
  }
  if (!Array.isArray(message.content)) {
    throw new RecallError(errorCodes.INVALID_REQUEST, `a ${role} message needs string or array content`);
  }
  const parts = (message.content as ContentPart[]).map((part) =>
    part.type === "text" || part.type === "reasoning"
      ? { ...part, text: normalizeText(part.text, options) }
      : part,
  );
  // One text part is the same request as a plain string.
  if (parts.length === 1 && parts[0]!.type === "text") return { role, content: parts[0]!.text } as Message;
  return { role, content: parts } as Message;
}

/** The text of a user turn made only of text, or undefined when it holds files or is empty. */
function plainText(content: Message["content"]): string | undefined {
  if (typeof content === "string") return content;
  if (!content.every((p) => p.type === "text")) return undefined;
  return (content as Array<{ text: string }>).map((p) => p.text).join("\n");
}
