import type { CacheOutcome, CacheRequest } from "@recall/core";
import type { RequestHandler } from "express";
import { requestCallOptions } from "./call-options.js";
import { proxiedOutcome, proxiedRequest } from "./credential-scope.js";
import { describeEmbeddings } from "./openai-response.js";
import { validateEmbeddingsBody } from "./openai-validate.js";
import type { ProxyContext } from "./proxy-context.js";
import { forwardJson, refreshJson, sendJsonHit } from "./proxy-json.js";

/**
 * The cache request of an embeddings call: not a chat, so it is keyed on its input exactly as it
 * is (`"a  b"` embeds differently from `"a b"`) and never matched by meaning.
 */
export function embeddingsRequest(body: Record<string, unknown>, provider: string): CacheRequest {
  return {
    kind: "embedding",
    model: { provider, id: body.model as string },
    input: {
      input: body.input,
      dimensions: body.dimensions ?? null,
      encoding_format: body.encoding_format ?? "float",
    },
  };
}

/** How many vectors an embeddings input asks for. */
export function inputCount(input: unknown): number {
  if (typeof input === "string") return 1;
  const list = input as unknown[];
  return typeof list[0] === "number" ? 1 : list.length;
}

/** `POST /embeddings`: answered from cache, or forwarded and stored (exact matches only). */
export function embeddingsHandler(ctx: ProxyContext): RequestHandler {
  return async (req, res) => {
    const body = validateEmbeddingsBody(req.body);
    const options = await requestCallOptions(req, ctx.requestOptions);
    const request = proxiedRequest(req, embeddingsRequest(body, ctx.provider), ctx);
    const lookup = await ctx.cache.lookup<string>(request, options);
    const count = inputCount(body.input);
    const describe = (parsed: unknown) => describeEmbeddings(parsed, count);
    const send = (found: CacheOutcome<string>) => sendJsonHit(res, proxiedOutcome(req, found, ctx));
    if (lookup.hit) {
      void lookup.outcome.refresh?.(() => refreshJson(req, ctx.upstream, "/embeddings", body, describe));
      return send(lookup.outcome);
    }
    await forwardJson(req, res, ctx.upstream, "/embeddings", body, lookup, describe, send);
  };
}
