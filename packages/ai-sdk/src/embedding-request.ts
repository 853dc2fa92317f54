import type { EmbeddingModelV4CallOptions } from "@ai-sdk/provider";
import type { CacheRequest } from "@recall/core";
import { collectSecrets, stripSecrets } from "@recall/core/adapter";
import type { ModelIdentity } from "./to-request.js";
import { withoutRecall } from "./to-request.js";

/**
 * The cache request of one value of an AI SDK `doEmbed` call (kind `embedding`, matched exactly,
 * never by meaning): the model's provider and id, the value as it is (`"a  b"` embeds differently
 * from `"a b"`), the requested `dimensions` and the provider options, which change the vector.
 * Headers, the abort signal and `providerOptions.recall` are left out; the credentials headers and
 * provider options may hold become `request.secrets` (never keyed, never stored), as the proxy
 * does for `/v1/embeddings`.
 */
export function toEmbeddingRequest(
  model: ModelIdentity,
  params: EmbeddingModelV4CallOptions,
  value: string,
): CacheRequest {
  const secrets = collectSecrets(params.headers);
  const providerOptions = withoutRecall(params.providerOptions);
  if (providerOptions) collectSecrets(providerOptions, secrets);
  const request: CacheRequest = {
    kind: "embedding",
    model: { provider: model.provider, id: model.modelId },
    input: {
      value,
      dimensions: params.dimensions ?? null,
      providerOptions: providerOptions ? (stripSecrets(providerOptions) ?? null) : null,
    },
  };
  if (secrets.size > 0) request.secrets = secrets;
  return request;
}
