/**
 * `@recall/core/adapter`: what an adapter is built from (docs/writing-an-adapter.md). Apps that
 * only use Recall through an adapter never import it.
 */
export type { ParseCallOptionsSettings, ParsedCallOptions } from "../adapter/call-options.js";
export { parseCallOptions } from "../adapter/call-options.js";
export type { StreamSettler } from "../adapter/stream-settler.js";
export { settleStream } from "../adapter/stream-settler.js";
export { isCached, summarize } from "../adapter/summary.js";
export {
  collectSecrets,
  containsSecret,
  isSecretName,
  looksLikeSecret,
  stripSecrets,
} from "../credentials.js";
export { onDeadline } from "../deadline.js";
export type { CacheEntry } from "../entry.js";
export { decodeVector, encodeVector, isCacheEntry } from "../entry.js";
export { assertOption, isMissingModule } from "../errors.js";
export type { FileContent } from "../file-digest.js";
export { fileDigest } from "../file-digest.js";
export type { RequestKeys } from "../keys.js";
export { KEY_FORMAT_VERSION, requestKeys, sha256 } from "../keys.js";
export type { NormalizeOptions } from "../normalize.js";
export { canonicalJson, normalizeText, setOwn } from "../normalize.js";
export { passThrough } from "../pipeline/outcome.js";
export { builtInVerdict } from "../validate.js";
