/**
 * Errors shaped like core's `RecallError` (same `code`s, same `[recall]` message prefix, same
 * cross-copy marker, so `RecallError.isInstance` recognizes them).
 *
 * TODO(core): use `RecallError` from `@recall/core` directly once core is published/built in the
 * workspace; this file exists only because the package must build before core does.
 */
export const errorCodes = {
  INVALID_OPTION: "RECALL_INVALID_OPTION",
  MISSING_DEPENDENCY: "RECALL_MISSING_DEPENDENCY",
  SEMANTIC_ERROR: "RECALL_SEMANTIC_ERROR",
} as const;

export type TransformersErrorCode = (typeof errorCodes)[keyof typeof errorCodes];

const marker = Symbol.for("recall.error");

export class TransformersError extends Error {
  readonly code: TransformersErrorCode;
  readonly [marker] = true;

  constructor(code: TransformersErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[recall] ${message}`, options);
    this.name = "RecallError";
    this.code = code;
  }
}
