import { errorCodes, type RecallCache, RecallError } from "@recall/core";
import { assertOption } from "@recall/core/adapter";
import express, { type RequestHandler } from "express";
import { checkRequestCacheOptions, type RequestCacheOptions, requestCallOptions } from "./call-options.js";
import { unscopedHitId } from "./credential-scope.js";
import { ApiError, bodyErrorToApiError, sendApiError } from "./errors.js";
import type { ProxyContext } from "./proxy-context.js";

/** Who may report which hits: the namespace options of the route whose answers are reported. */
export type FeedbackHandlerOptions = Pick<
  RequestCacheOptions,
  "namespace" | "trustNamespaceHeader" | "namespaceHeader" | "callOptions"
>;

/** Longest accepted `id` (core's ids are a few hundred characters). */
const MAX_ID_LENGTH = 4096;
const FIELDS = ["id", "wrong"];

/**
 * An Express handler for feedback on cached answers: `POST` a JSON body
 * `{ "id": "<X-Recall-Id of the answer>", "wrong": true }` (or `false` to confirm a semantic hit was
 * right). It calls `cache.feedback` for the caller's own namespace, found exactly as the route that
 * served the answer finds it (give it the same `namespace`, `trustNamespaceHeader`,
 * `namespaceHeader` and `callOptions`): an id of another namespace is refused. A wrong exact hit
 * deletes its entry; a wrong semantic hit never pairs that question with that entry again.
 *
 * Answers 200 `{ "action": "deleted" | "unpaired" | "confirmed" | "kept" | "gone" }`, or 400 in
 * OpenAI's error shape saying what is wrong (a body that is not that object, an id that is not a
 * Recall hit id, an id of another namespace). `openAIProxy` mounts one at `POST /recall/feedback`
 * (with its credential scoping); use this one beside `routeCache`. It parses the JSON body itself
 * unless a body parser ran before it.
 *
 * @example
 * app.post("/summarize", express.json(), routeCache({ cache, namespace: tenantOf }), summarize);
 * app.post("/recall/feedback", feedbackHandler(cache, { namespace: tenantOf }));
 */
export function feedbackHandler(cache: RecallCache, options: FeedbackHandlerOptions = {}): RequestHandler {
  assertOption(
    typeof (cache as Partial<RecallCache> | undefined)?.feedback === "function",
    "feedbackHandler needs a Recall cache (createCache())",
  );
  assertOption(typeof options === "object" && options !== null, "feedbackHandler options must be an object");
  checkRequestCacheOptions(options);
  const json = express.json({ limit: "64kb", type: () => true });
  const handle = feedbackRoute({ cache, requestOptions: options });
  return (req, res, next) => {
    if (req.body !== undefined) return handle(req, res, next);
    json(req, res, (error?: unknown) => {
      if (error === undefined) return handle(req, res, next);
      const apiError = bodyErrorToApiError(error as Error);
      if (apiError) return sendApiError(res, apiError);
      next(error);
    });
  };
}

/**
 * The feedback route of a context: the proxy's (which also checks that an id was issued to the
 * caller's credential) or `feedbackHandler`'s.
 */
export function feedbackRoute(
  ctx: Pick<ProxyContext, "cache" | "requestOptions" | "credentialKey">,
): RequestHandler {
  return async (req, res, next) => {
    try {
      const { id, wrong } = readFeedback(req.body);
      const options = await requestCallOptions(req, ctx.requestOptions);
      const namespace = options.namespace ?? ctx.cache.namespace;
      const result = await ctx.cache.feedback(unscopedHitId(req, id, ctx), { wrong }, { namespace });
      res.status(200).json({ action: result.action });
    } catch (error) {
      if (error instanceof ApiError) return sendApiError(res, error);
      if (error instanceof RecallError && error.code === errorCodes.INVALID_REQUEST) {
        return sendApiError(res, new ApiError(400, `${error.message}.`, "id", "invalid_hit_id"));
      }
      next(error);
    }
  };
}

/** The body as `{ id, wrong }`, or a 400 saying what is wrong with it. */
function readFeedback(body: unknown): { id: string; wrong: boolean } {
  const bad = (message: string, param: string | null = null) =>
    new ApiError(400, message, param, "invalid_feedback");
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw bad(
      'The body must be a JSON object { "id": "<the X-Recall-Id header of the answer>", "wrong": true }.',
    );
  }
  const given = body as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!FIELDS.includes(name))
      throw bad(`${JSON.stringify(name)} is not a feedback field (known: id, wrong).`, name);
  }
  const { id, wrong } = given;
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw bad(
      `"id" must be the X-Recall-Id header of a cached answer (a non-empty string), got ${describe(id)}.`,
      "id",
    );
  }
  if (typeof wrong !== "boolean") {
    throw bad(
      `"wrong" must be true (the answer was wrong) or false (it was right), got ${describe(wrong)}.`,
      "wrong",
    );
  }
  return { id, wrong };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string" && value.length > MAX_ID_LENGTH)
    return `a string of ${value.length} characters`;
  return (JSON.stringify(value) ?? String(value)).slice(0, 80);
}
