import type { ServerResponse } from "node:http";
import { hashEmbedding, toBase64Float32 } from "./embedding";
import { openaiError, sendJson } from "./http-util";
import { estimateTokens } from "./tokens";
import type { MockOpenAIOptions } from "./types";

/** The texts of an embeddings `input`: a string, strings, or token arrays (embedded as their digits). */
export function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((x) => typeof x === "number")) return [input.join(" ")];
  if (input.every((x) => typeof x === "string")) return input as string[];
  if (input.every((x) => Array.isArray(x))) return input.map((x) => (x as unknown[]).join(" "));
  return undefined;
}

/** Answers `POST /v1/embeddings` with float arrays, or base64 float32 when asked. */
export function sendEmbeddings(
  res: ServerResponse,
  model: string,
  body: any,
  options: MockOpenAIOptions,
): void {
  const texts = embeddingInputs(body?.input);
  if (!texts) {
    sendJson(res, 400, openaiError(400, "'input' must be a string or a non-empty array.", null, "input"));
    return;
  }
  const dims = typeof body?.dimensions === "number" && body.dimensions > 0 ? body.dimensions : undefined;
  const embed = options.embed ?? hashEmbedding;
  const base64 = body?.encoding_format === "base64";
  const data = texts.map((text, index) => {
    const vec = embed(text, dims);
    return { object: "embedding", index, embedding: base64 ? toBase64Float32(vec) : vec };
  });
  const tokens = texts.reduce((n, t) => n + estimateTokens(t), 0);
  sendJson(res, 200, {
    object: "list",
    data,
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

const MODELS = [
  "gpt-4o-mini",
  "gpt-4o",
  "gpt-4.1-mini",
  "gpt-4.1",
  "gpt-5-mini",
  "text-embedding-3-small",
  "text-embedding-3-large",
];

/** Answers `GET /v1/models` and `GET /v1/models/{id}` (any id is "available"). */
export function sendModels(res: ServerResponse, id?: string): void {
  const model = (m: string) => ({ id: m, object: "model", created: 1_700_000_000, owned_by: "openai" });
  if (id) sendJson(res, 200, model(id));
  else sendJson(res, 200, { object: "list", data: MODELS.map(model) });
}
