import type { Emitter } from "../events.js";
import type { RequestKeys } from "../keys.js";
import type { SemanticMatcher } from "../semantic.js";
import type { CallInfo } from "./outcome.js";

export interface Embedded {
  vector: Float32Array;
  /** The vector partition as stored: the request's partition scoped to the embedder. */
  partition: string;
}

/**
 * The embedding stage: the question's vector and partition when this call is matched by meaning
 * (the keys carry a partition only then). Undefined when semantic matching is off for the call,
 * when the matcher cannot read the question (a `semantic-skip` event, given `call`: lookups report
 * it, writes do not report it twice), or when embedding failed (reported by the matcher).
 */
export async function embedQuestion(
  semantic: SemanticMatcher | undefined,
  keys: RequestKeys,
  events: Emitter,
  call?: CallInfo,
): Promise<Embedded | undefined> {
  if (!semantic || keys.partition === undefined || keys.question === undefined) return undefined;
  const skip = await semantic.unreadable(keys.question, keys.key);
  if (skip) {
    if (call) events.emit("semantic-skip", { ...call, reason: skip });
    return undefined;
  }
  const vector = await semantic.vectorOf(keys.question, keys.key);
  return vector && { vector, partition: semantic.partitionOf(keys.partition) };
}
