import { onDeadline } from "../deadline.js";
import type { Alias, CacheEntry } from "../entry.js";
import { errorCodes, RecallError, toRecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import type { PriceTable } from "../pricing.js";
import type { CacheResponse } from "../response.js";
import { matchedQuestionOf, questionHash, type SemanticMatch, type SemanticMatcher } from "../semantic.js";
import { attr, callAttributes, traced } from "../telemetry.js";
import { exploitProbability, observe } from "../verify/evidence.js";
import { VERIFY_DEFAULTS, type VerifyOptions } from "../verify/options.js";
import { readVerdict, toVerifier, type VerdictDecision, type Verifier } from "../verify/verifier.js";
import type { AliasVectors } from "./alias-vectors.js";
import type { EntryUpdater } from "./entry-update.js";
import type { EvidencePool } from "./evidence-pool.js";
import type { IndexSync } from "./index-sync.js";
import type { CallInfo } from "./outcome.js";

/** Aliases kept per entry at most (the oldest go first). */
export const MAX_ALIASES = 32;
/** Pair verdicts remembered in this process. */
const VERDICT_MEMORY = 10_000;
/** A background verification that takes longer than this is given up (`failed: "timeout"`). */
const BACKGROUND_TIMEOUT_MS = 30_000;

/** A question that missed, with the candidate the verifier is to judge once its answer is known. */
export interface Pending {
  question: string;
  vector: Float32Array;
  candidate: SemanticMatch;
  call: CallInfo;
}

/**
 * The verification stage (`semantic.verify`): what to do with a candidate the guard accepted just
 * below its threshold.
 * - Its pair was judged before (in this process): as the verifier said.
 * - With a `bound`, the entry's evidence may let it through unverified (`learned`, vCache's rule).
 * - `sync`: the verifier is asked now, within `budgetMs`; same is a hit, anything else a miss.
 * - `async`: a miss now; once the call's answer is back, the verifier runs in the background.
 * A verdict of same makes the question an alias of the entry (stored with it, sent on the bus, in
 * a shared index); every verdict is one more observation for the entry. Nothing here fails a call:
 * a verifier that throws or is late gives `unsure` and an `error` event.
 */
export class Verification {
  readonly mode: "sync" | "async";
  readonly band: number;
  private readonly verifier: Verifier;
  private readonly budgetMs: number;
  private readonly bound: number | undefined;
  private readonly random: () => number;
  private readonly maxPending: number;
  private readonly concurrency: number;
  private readonly verdicts = new Map<string, VerdictDecision>();
  private readonly queue: Array<() => Promise<void>> = [];
  private running = 0;
  private idle: Array<() => void> = [];
  /** Writes of evidence and aliases after a sync verdict, for `drain`. */
  private readonly learning = new Set<Promise<void>>();

  constructor(
    options: VerifyOptions,
    private readonly semantic: SemanticMatcher,
    private readonly entries: EntryUpdater,
    private readonly sync: IndexSync,
    private readonly events: Emitter,
    private readonly prices: PriceTable,
    private readonly pool: EvidencePool,
    private readonly aliasVectors: AliasVectors,
  ) {
    this.verifier = toVerifier(options.verifier);
    this.mode = options.mode ?? "async";
    this.band = options.band ?? VERIFY_DEFAULTS.band;
    this.budgetMs = options.budgetMs ?? VERIFY_DEFAULTS.budgetMs;
    this.bound = options.bound;
    this.random = options.random ?? Math.random;
    this.maxPending = options.maxPending ?? VERIFY_DEFAULTS.maxPending;
    this.concurrency = options.concurrency ?? VERIFY_DEFAULTS.concurrency;
  }

  /**
   * Whether to serve `pending.candidate` now: `verifier` (it said same, now or before), `learned`
   * (the entry's evidence let it through), or undefined (a miss). Asks the verifier only in `sync`.
   */
  async decide(pending: Pending, mode: "sync" | "async"): Promise<"verifier" | "learned" | undefined> {
    const { candidate } = pending;
    const known = this.verdicts.get(this.pairKey(pending.question, candidate.key));
    if (known === "same") return "verifier";
    if (known === "different") return undefined;
    if (this.bound !== undefined && (await this.exploit(candidate))) return "learned";
    if (mode !== "sync") return undefined;
    const decision = await this.verifyTraced(pending, "sync", undefined, this.budgetMs);
    // Learning (evidence, the alias) is written after the answer is served, not before.
    if (decision !== "unsure") this.track(this.learn(pending, decision === "same"));
    return decision === "same" ? "verifier" : undefined;
  }

  /** vCache's draw: whether the evidence lets this candidate through unverified (`bound` set). */
  private async exploit(candidate: SemanticMatch): Promise<boolean> {
    const { entry, similarity } = candidate;
    const pool =
      entry.partition === undefined ? undefined : await this.pool.read(entry.namespace, entry.partition);
    return this.random() < exploitProbability(entry.evidence, similarity, this.bound!, pool);
  }

  /** `async` and shadow mode: verify once the answer is back, in the background; `then` gets the verdict. */
  later(
    pending: Pending,
    freshAnswer: CacheResponse,
    mode: "async" | "shadow",
    then?: (decision: VerdictDecision) => void,
  ): void {
    if (this.queue.length >= this.maxPending) {
      this.events.emit("error", {
        error: new RecallError(
          errorCodes.SEMANTIC_ERROR,
          `${this.queue.length} verifications are waiting; this one was dropped`,
        ),
        key: pending.call.key,
        namespace: pending.call.namespace,
      });
      return;
    }
    this.queue.push(async () => {
      const known = this.verdicts.get(this.pairKey(pending.question, pending.candidate.key));
      const decision = known ?? (await this.verifyTraced(pending, mode, freshAnswer, BACKGROUND_TIMEOUT_MS));
      if (!known && decision !== "unsure") await this.learn(pending, decision === "same");
      then?.(decision);
    });
    this.pump();
  }

  /** Resolves once no background verification (or write of what one taught) is waiting or running. */
  async drain(): Promise<void> {
    while (this.running > 0 || this.queue.length > 0 || this.learning.size > 0) {
      if (this.running > 0 || this.queue.length > 0)
        await new Promise<void>((resolve) => this.idle.push(resolve));
      await Promise.all(this.learning);
    }
  }

  private track(learning: Promise<void>): void {
    const tracked = learning
      .catch((error: unknown) => this.report("writing what a verdict taught failed", error))
      .finally(() => this.learning.delete(tracked));
    this.learning.add(tracked);
  }

  /** Remembers a verdict on a pair (feedback reports one too). */
  remember(question: string, key: string, decision: VerdictDecision): void {
    if (decision === "unsure") return;
    const pair = this.pairKey(question, key);
    this.verdicts.delete(pair);
    this.verdicts.set(pair, decision);
    if (this.verdicts.size > VERDICT_MEMORY) this.verdicts.delete(this.verdicts.keys().next().value!);
  }

  /** Remembers a pair reported wrong (by the hash the hit id carries): it is never served again here. */
  refusePair(questionHashed: string, key: string): void {
    this.verdicts.set(`${this.verifier.id}\n${questionHashed}\n${key}`, "different");
  }

  private pairKey(question: string, key: string): string {
    return `${this.verifier.id}\n${questionHash(question)}\n${key}`;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      job()
        .catch((error: unknown) => this.report("a background verification failed", error))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) {
            const waiting = this.idle;
            this.idle = [];
            for (const resolve of waiting) resolve();
          }
        });
    }
  }

  /** Asks the verifier within `budgetMs`; reports the verdict (`verify` event) and remembers it. */
  /** Asks the verifier inside a `recall.verify` span (see `ask`). */
  private verifyTraced(
    pending: Pending,
    mode: "sync" | "async" | "shadow",
    freshAnswer: CacheResponse | undefined,
    budgetMs: number,
  ): Promise<VerdictDecision> {
    const attributes = {
      ...callAttributes(pending.call),
      [attr.mode]: mode,
      [attr.similarity]: pending.candidate.similarity,
    };
    return traced("recall.verify", attributes, async (span) => {
      const decision = await this.ask(pending, mode, freshAnswer, budgetMs);
      span.setAttribute(attr.decision, decision);
      return decision;
    });
  }

  private async ask(
    pending: Pending,
    mode: "sync" | "async" | "shadow",
    freshAnswer: CacheResponse | undefined,
    budgetMs: number,
  ): Promise<VerdictDecision> {
    const { candidate, call } = pending;
    const controller = new AbortController();
    const started = performance.now();
    // Like the store's and the lock's timers, the budget measures the verifier, not the event loop.
    let cancel = () => {};
    const late = new Promise<"timeout">((resolve) => {
      cancel = onDeadline(budgetMs, () => {
        controller.abort(new Error(`the verifier took longer than ${budgetMs} ms`));
        resolve("timeout");
      });
    });
    let decision: VerdictDecision = "unsure";
    let reason: string | undefined;
    let failed: "error" | "timeout" | undefined;
    let cost = { inputTokens: 0, outputTokens: 0, usd: 0 };
    try {
      const answer = await Promise.race([
        this.verifier.verify({
          question: pending.question,
          candidate: {
            key: candidate.key,
            question: matchedQuestionOf(candidate),
            answer: candidate.entry.response,
          },
          similarity: candidate.similarity,
          namespace: call.namespace,
          model: call.model,
          ...(freshAnswer ? { freshAnswer } : {}),
          signal: controller.signal,
        }),
        late,
      ]);
      if (answer === "timeout") {
        failed = "timeout";
        reason = `no verdict within ${budgetMs} ms`;
      } else {
        const verdict = readVerdict(answer);
        decision = verdict.decision;
        reason = verdict.reason;
        cost = this.prices.savings(verdict.modelId ?? "", verdict.usage);
      }
    } catch (error) {
      failed = "error";
      reason = "the verifier threw";
      this.report("the verifier failed; the candidate is not served", error, call);
    } finally {
      cancel();
    }
    const ms = performance.now() - started;
    this.events.emit("verify", {
      ...call,
      candidateKey: candidate.key,
      similarity: candidate.similarity,
      mode,
      decision,
      ...(reason === undefined ? {} : { reason }),
      ...(failed ? { failed } : {}),
      ms,
      cost,
    });
    this.remember(pending.question, candidate.key, decision);
    return decision;
  }

  /**
   * One more observation for the candidate's entry, and, when the verifier said same, the question
   * as an alias of it: stored with the entry, added to the index, sent to the other instances.
   */
  private async learn(pending: Pending, same: boolean): Promise<void> {
    const { candidate, question, vector, call } = pending;
    const aliasId = `${candidate.key}#${questionHash(question)}`;
    let promoted: Alias | undefined;
    const updated = await this.entries.update(candidate.key, (entry) => {
      const next: CacheEntry = { ...entry, evidence: observe(entry.evidence, candidate.similarity, same) };
      const known = entry.question === question || entry.aliases?.some((a) => a.id === aliasId);
      if (same && !known && entry.partition !== undefined) {
        promoted = { id: aliasId, question };
        next.aliases = [...(entry.aliases ?? []), promoted].slice(-MAX_ALIASES);
      }
      return next;
    });
    if (updated?.partition !== undefined)
      await this.pool.add(updated.namespace, updated.partition, candidate.similarity, same);
    if (!updated || !promoted || updated.partition === undefined) return;
    const partition = updated.partition;
    await this.aliasVectors.add(candidate.key, updated, aliasId, vector);
    await this.semantic.add(aliasId, updated.namespace, partition, vector);
    await this.sync.publish({
      type: "vector-added",
      item: { id: aliasId, namespace: updated.namespace, partition, vector: Array.from(vector) },
    });
    this.events.emit("promote", {
      ...call,
      entryKey: candidate.key,
      alias: aliasId,
      similarity: candidate.similarity,
    });
  }

  private report(message: string, error: unknown, call?: CallInfo): void {
    this.events.emit("error", {
      error: toRecallError(errorCodes.SEMANTIC_ERROR, message, error),
      ...(call ? { key: call.key, namespace: call.namespace } : {}),
    });
  }
}
