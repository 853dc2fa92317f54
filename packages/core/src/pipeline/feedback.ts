import { decodeVector } from "../entry.js";
import { errorCodes, RecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import { dot } from "../index/flat-index.js";
import type { SemanticMatcher } from "../semantic.js";
import { observe } from "../verify/evidence.js";
import { decodeHitId, type HitRef } from "../verify/hit-id.js";
import type { AliasVectors } from "./alias-vectors.js";
import type { EntryUpdater } from "./entry-update.js";
import type { EvidencePool } from "./evidence-pool.js";
import type { IndexSync } from "./index-sync.js";
import type { Purger } from "./purge.js";
import type { Verification } from "./verification.js";

/** Questions reported wrong kept per entry at most (the oldest go first). */
const MAX_REFUSED = 64;

export interface Feedback {
  /** The answer was wrong for the question asked. `false` confirms it was right. */
  wrong: boolean;
}

export interface FeedbackResult {
  /**
   * - `deleted`: a wrong exact hit: its entry is gone, the next ask calls upstream;
   * - `unpaired`: a wrong semantic hit: that question is never matched to that entry again, the
   *   alias it came through is gone, and the entry needs a higher similarity from now on;
   * - `confirmed`: a right semantic hit, one more observation for the entry;
   * - `kept`: a right exact hit (nothing to learn);
   * - `gone`: the entry no longer exists.
   */
  action: "deleted" | "unpaired" | "confirmed" | "kept" | "gone";
}

/**
 * `cache.feedback`: a caller reports a hit wrong (or right) by its id. A wrong exact hit deletes
 * the entry. A wrong semantic hit refuses the pairing for good (the question's hash is stored with
 * the entry), drops the alias it matched through, raises the entry's own threshold above the
 * similarity it was served at, and counts as evidence against it. A feedback id is as trusted as the
 * caller who got the hit: pass `namespace` to accept only ids of the caller's own namespace.
 */
export class FeedbackStage {
  constructor(
    private readonly prefix: string,
    private readonly entries: EntryUpdater,
    private readonly purger: Purger,
    private readonly semantic: SemanticMatcher | undefined,
    private readonly sync: IndexSync,
    private readonly verification: Verification | undefined,
    private readonly events: Emitter,
    private readonly pool: EvidencePool,
    private readonly aliasVectors: AliasVectors,
  ) {}

  async apply(id: string, feedback: Feedback, options: { namespace?: string } = {}): Promise<FeedbackResult> {
    if (typeof feedback !== "object" || feedback === null || typeof feedback.wrong !== "boolean")
      throw new RecallError(
        errorCodes.INVALID_REQUEST,
        "feedback must be { wrong: true } or { wrong: false }",
      );
    const ref = decodeHitId(id);
    if (!ref.key.startsWith(`${this.prefix}:`))
      throw new RecallError(
        errorCodes.INVALID_REQUEST,
        "the hit id is not of this cache (its key prefix differs)",
      );
    if (options.namespace !== undefined && ref.namespace !== options.namespace)
      throw new RecallError(errorCodes.INVALID_REQUEST, "the hit id is of another namespace");
    const result =
      ref.kind === "exact" ? await this.exact(ref, feedback) : await this.semanticHit(ref, feedback);
    this.events.emit("feedback", {
      namespace: ref.namespace,
      key: ref.key,
      kind: ref.kind,
      wrong: feedback.wrong,
      action: result.action,
    });
    return result;
  }

  private async exact(ref: HitRef, feedback: Feedback): Promise<FeedbackResult> {
    if (!feedback.wrong) return { action: "kept" };
    await this.purger.key(ref.key);
    return { action: "deleted" };
  }

  private async semanticHit(ref: HitRef, feedback: Feedback): Promise<FeedbackResult> {
    const similarity = ref.similarity ?? 1;
    const question = ref.question ?? "";
    const viaAlias = ref.matched !== undefined && ref.matched !== ref.key;
    if (feedback.wrong) this.verification?.refusePair(question, ref.key);
    // The similarity the report is evidence about, when it is one (see below).
    let judged: number | undefined;
    const stored = viaAlias ? await this.aliasVectors.read(ref.key) : {};
    const updated = await this.entries.update(ref.key, (entry) => {
      // Through an alias, the hit's similarity is to the alias (near 1); what was judged wrong is
      // the alias's wording against the entry's: that is the similarity the evidence is about.
      const alias = viaAlias ? entry.aliases?.find((a) => a.id === ref.matched) : undefined;
      const aliasVector = alias && (alias.vector ?? stored[alias.id]);
      judged =
        aliasVector && entry.vector ? dot(decodeVector(aliasVector), decodeVector(entry.vector)) : similarity;
      if (viaAlias && !alias) judged = undefined;
      if (!feedback.wrong)
        return judged === undefined ? entry : { ...entry, evidence: observe(entry.evidence, judged, true) };
      const refused = [...(entry.refused ?? []).filter((q) => q !== question), question].slice(-MAX_REFUSED);
      const { aliases: _aliases, ...rest } = entry;
      const aliases = (entry.aliases ?? []).filter((a) => a.id !== ref.matched);
      return {
        ...rest,
        ...(aliases.length > 0 ? { aliases } : {}),
        refused,
        evidence: judged === undefined ? entry.evidence : observe(entry.evidence, judged, false),
        // A hit at the entry's threshold: raise it just above, so its neighbours need more. A
        // wrong alias is undone by its removal and the refusal; the entry's threshold stays.
        ...(viaAlias ? {} : { threshold: Math.min(1, Math.max(entry.threshold ?? 0, similarity + 0.001)) }),
      };
    });
    if (!updated) return { action: "gone" };
    if (updated.partition !== undefined && judged !== undefined)
      await this.pool.add(updated.namespace, updated.partition, judged, !feedback.wrong);
    if (feedback.wrong && viaAlias) {
      this.semantic?.remove([ref.matched!]);
      await this.sync.publish({ type: "deleted", ids: [ref.matched!] });
    }
    return { action: feedback.wrong ? "unpaired" : "confirmed" };
  }
}
