/**
 * Every error Recall throws or emits is a `RecallError` with a stable `code`, a message that starts
 * with `[recall]`, and the underlying `cause` when there is one.
 */
export const errorCodes = {
  /** An option given at creation is missing, of the wrong type, or out of range. */
  INVALID_OPTION: "RECALL_INVALID_OPTION",
  /** A request could not be turned into a key (e.g. no messages). */
  INVALID_REQUEST: "RECALL_INVALID_REQUEST",
  /** An optional peer dependency is needed for the feature asked for. */
  MISSING_DEPENDENCY: "RECALL_MISSING_DEPENDENCY",
  /** The store failed or answered too late; the call went on as a miss. */
  STORE_ERROR: "RECALL_STORE_ERROR",
  STORE_TIMEOUT: "RECALL_STORE_TIMEOUT",
  /** The store failed too often in a row: calls skip it (misses, nothing stored) until a probe succeeds. */
  STORE_UNAVAILABLE: "RECALL_STORE_UNAVAILABLE",
  /** A stored value could not be decoded; it was deleted and treated as a miss. */
  DECODE_ERROR: "RECALL_DECODE_ERROR",
  /** Embedding or vector search failed; the lookup went on as exact-only. */
  SEMANTIC_ERROR: "RECALL_SEMANTIC_ERROR",
  /** The distributed lock or bus failed; the call went on without it. */
  LOCK_ERROR: "RECALL_LOCK_ERROR",
  BUS_ERROR: "RECALL_BUS_ERROR",
  /** The lock failed too often in a row: calls go on without it until a probe succeeds. */
  LOCK_UNAVAILABLE: "RECALL_LOCK_UNAVAILABLE",
  /** An adapter could not cache a call (e.g. parameters it cannot read); the call went on uncached. */
  ADAPTER_ERROR: "RECALL_ADAPTER_ERROR",
  /** A user validator threw. The answer was not stored. */
  VALIDATOR_ERROR: "RECALL_VALIDATOR_ERROR",
  /** A background refresh of a stale entry failed (its upstream call threw); the stale entry stays. */
  REFRESH_ERROR: "RECALL_REFRESH_ERROR",
} as const;

export type RecallErrorCode = (typeof errorCodes)[keyof typeof errorCodes];

const marker = Symbol.for("recall.error");

export class RecallError extends Error {
  readonly code: RecallErrorCode;
  readonly [marker] = true;

  constructor(code: RecallErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[recall] ${message}`, options);
    this.name = "RecallError";
    this.code = code;
  }

  /** True for any RecallError, even one from another copy of this package. */
  static isInstance(error: unknown): error is RecallError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** Throws `RECALL_INVALID_OPTION` unless `ok`. For checks at creation time. */
export function assertOption(ok: boolean, message: string): asserts ok {
  if (!ok) throw new RecallError(errorCodes.INVALID_OPTION, message);
}

export function toRecallError(code: RecallErrorCode, message: string, cause: unknown): RecallError {
  if (RecallError.isInstance(cause)) return cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : "";
  return new RecallError(code, `${message}${detail}`, { cause });
}

/**
 * True when `error` is Node's "module not found" for `specifier`: an optional peer dependency that
 * is not installed (rather than one that is installed and failed to load, which should surface).
 */
export function isMissingModule(error: unknown, specifier: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    String((error as Error).message).includes(specifier)
  );
}
