import type { Emitter } from "../events.js";
import type { RequestKeys } from "../keys.js";
import type { SemanticMatcher } from "../semantic.js";
import { attr, callAttributes, traced } from "../telemetry.js";
import type { CallInfo } from "./outcome.js";

export interface Embedded {
  vector: Float32Array;
  /** The vector partition as stored: the request's partition scoped to the embedder. */
  partition: string;
}

/**
 * The embedding stage: the question's vector and partition when this call is matched by meaning
 * (the keys carry a partition only then). Undefined, and the call goes on exact-only, when
 * semantic matching is off for the call, when the matcher cannot read the question
 * (`semantic-skip`), when the embedder is too busy for the lookup's budget (`semantic-shed`), or
 * when embedding failed (an `error`, reported by the matcher).
 *
 * A lookup (`during: "lookup"`) waits for its vector within the matcher's budget; the write that
 * stores the answer (`"store"`) waits longer, and finds the lookup's embedding done or under way.
 * Skips are reported once, by the lookup; a write reports only what the lookup could not know.
 */
export async function embedQuestion(
  semantic: SemanticMatcher | undefined,
  keys: RequestKeys,
  events: Emitter,
  call: CallInfo,
  during: "lookup" | "store",
): Promise<Embedded | undefined> {
  if (!semantic || keys.partition === undefined || keys.question === undefined) return undefined;
  const question = keys.question;
  const read = await traced(
    "recall.embed",
    { ...callAttributes(call), [attr.during]: during },
    async (span) => {
      const found = await semantic.read(
        question,
        keys.key,
        during === "lookup" ? semantic.budgetMs : undefined,
      );
      const outcome = !found
        ? "failed"
        : "unreadable" in found
          ? "unreadable"
          : "shed" in found
            ? "shed"
            : "vector";
      span.setAttribute(attr.outcome, outcome);
      return found;
    },
  );
  if (!read) return undefined;
  if ("unreadable" in read) {
    if (during === "lookup") events.emit("semantic-skip", { ...call, reason: read.unreadable });
    return undefined;
  }
  if ("shed" in read) {
    events.emit("semantic-shed", { ...call, during, cause: read.shed, reason: read.reason });
    return undefined;
  }
  return { vector: read.vector, partition: semantic.partitionOf(keys.partition) };
}
