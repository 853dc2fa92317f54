import type { CacheEntry } from "../entry.js";
import { assertOption } from "../errors.js";
import type { CacheRequest } from "../request.js";
import type { CacheResponse } from "../response.js";
import type { CacheOptions, CallOptions } from "./options.js";
import type { CacheOutcome } from "./outcome.js";

/** The most answers one entry may hold (`variants`). */
export const MAX_VARIANTS = 32;

/** Throws `RECALL_INVALID_OPTION`, naming `where`, unless `value` is an integer in 1…`MAX_VARIANTS`. */
export function assertVariants(value: unknown, where: string): asserts value is number {
  assertOption(
    Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_VARIANTS,
    `${where} must be an integer from 1 to ${MAX_VARIANTS}, got ${JSON.stringify(value)}`,
  );
}

/**
 * Answer variants for sampled calls (docs/freshness.md, "Answer variants"): an entry holds up to
 * `n` answers of one request, its first in `response` and the others in `variants`, appended one
 * per miss while it holds fewer than the call wants. A hit draws one of the first `n` at random.
 * How many a call wants: its own `variants`, else the cache's for sampled calls (a chat whose
 * temperature is unset or above 0), else 1 (one answer, as without the option).
 */
export class Variants {
  private readonly n: number;
  private readonly random: () => number;

  constructor(options: CacheOptions) {
    this.n = options.variants ?? 1;
    this.random = options.random ?? Math.random;
  }

  /** How many answers `request` wants an entry to hold under `options`. */
  of(request: CacheRequest, options: CallOptions): number {
    if (options.variants !== undefined) {
      assertVariants(options.variants, "variants");
      return options.variants;
    }
    return this.n > 1 && isSampled(request) ? this.n : 1;
  }

  /** True when `entry` holds the `n` answers a call wants (always for one). */
  full(entry: CacheEntry, n: number): boolean {
    return n <= 1 || answersOf(entry).length >= n;
  }

  /**
   * A hit on `entry` for a call that wants `n` answers: `make` builds the outcome from the entry
   * with the answer drawn (one of its first `n`) as its `response`; the outcome says which
   * (`variant`, from 1, of `variants`) when `n` > 1. With `n` = 1 it is the entry's first answer.
   */
  serve<T>(entry: CacheEntry, n: number, make: (entry: CacheEntry) => CacheOutcome<T>): CacheOutcome<T> {
    if (n <= 1) return make(entry);
    const answers = answersOf(entry).slice(0, n);
    const i = Math.min(answers.length - 1, Math.floor(this.random() * answers.length));
    const outcome = make(i === 0 ? entry : { ...entry, response: answers[i]! });
    return { ...outcome, variant: i + 1, variants: answers.length };
  }
}

/** The answers `entry` holds: its first, then those appended (anything that is not an answer skipped). */
export function answersOf(entry: CacheEntry): CacheResponse[] {
  const more = Array.isArray(entry.variants) ? entry.variants.filter(isAnswer) : [];
  return [entry.response, ...more];
}

/** `entry` with `response` appended as one more variant. */
export function withVariant(entry: CacheEntry, response: CacheResponse): CacheEntry {
  return { ...entry, variants: [...answersOf(entry).slice(1), response] };
}

/**
 * A call whose answer is sampled: a chat (it has `messages`) whose temperature is unset (the
 * provider's default samples) or above 0. Embeddings and other JSON calls (`input`) are not.
 */
export function isSampled(request: CacheRequest): boolean {
  if (request.messages === undefined) return false;
  const t = request.params?.temperature;
  return t === undefined || t === null || t > 0;
}

function isAnswer(value: unknown): value is CacheResponse {
  return typeof value === "object" && value !== null && "body" in value;
}
