import { errorCodes, RecallError } from "../errors.js";

/**
 * The id every hit carries, so the caller can report it wrong later (`cache.feedback`). It holds
 * what feedback needs and nothing secret: the entry's key, the vector that matched (the entry's own
 * or an alias), a hash of the question asked, the similarity and the namespace. Any instance can
 * read it; no server-side record is kept.
 */
export interface HitRef {
  kind: "exact" | "semantic";
  namespace: string;
  key: string;
  /** Semantic hits: the id of the vector that matched (the key itself, or an alias id). */
  matched?: string;
  /** Semantic hits: hash of the question asked (see `questionHash`). */
  question?: string;
  similarity?: number;
}

const PREFIX = "rh1.";

export function encodeHitId(ref: HitRef): string {
  const fields = [ref.kind === "exact" ? "e" : "s", ref.namespace, ref.key];
  if (ref.kind === "semantic")
    fields.push(ref.matched ?? ref.key, ref.question ?? "", String(ref.similarity ?? 0));
  return PREFIX + Buffer.from(JSON.stringify(fields)).toString("base64url");
}

/** Reads a hit id; throws `RECALL_INVALID_REQUEST` saying what is wrong with it. */
export function decodeHitId(id: unknown): HitRef {
  const invalid = (why: string) =>
    new RecallError(
      errorCodes.INVALID_REQUEST,
      `not a Recall hit id (${why}): ${JSON.stringify(id)?.slice(0, 80)}`,
    );
  if (typeof id !== "string" || !id.startsWith(PREFIX)) throw invalid(`it must start with "${PREFIX}"`);
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(id.slice(PREFIX.length), "base64url").toString("utf8"));
  } catch {
    throw invalid("it does not decode");
  }
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === "string")) throw invalid("malformed");
  const [kind, namespace, key, matched, question, similarity] = fields as string[];
  if (kind === "e" && fields.length === 3) return { kind: "exact", namespace: namespace!, key: key! };
  if (kind === "s" && fields.length === 6) {
    const s = Number(similarity);
    if (!Number.isFinite(s)) throw invalid("bad similarity");
    return { kind: "semantic", namespace: namespace!, key: key!, matched, question, similarity: s };
  }
  throw invalid("malformed");
}
