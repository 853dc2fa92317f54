import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import type { CacheOutcome, CacheRequest } from "@recall/core";
import { assertOption } from "@recall/core/adapter";
import type { Request, RequestHandler } from "express";
import { ApiError, sendApiError } from "./errors.js";
import type { ProxyContext } from "./proxy-context.js";

/**
 * When the proxy forwards each client's own key, a cached answer belongs to the credential that
 * paid for it: entries are scoped by a keyed hash of the caller's `Authorization` header,
 * HMAC-SHA256(secret, header). The hash, never the key, enters the cache request; without the
 * secret it cannot be tested against a guessed key.
 */

/** Shortest accepted `credentialSecret`, in bytes. */
export const MIN_CREDENTIAL_SECRET_BYTES = 16;

/** The secret used when none is configured: random, made once per process. */
let processSecret: KeyObject | undefined;

/**
 * The HMAC key for credential scopes: the configured secret (a string of at least 16 UTF-8 bytes,
 * or a Buffer of at least 16 bytes), or else a random per-process one, with which entries neither
 * survive a restart nor are shared with other instances. Throws `RECALL_INVALID_OPTION` on a bad secret.
 */
export function credentialKey(secret: string | Buffer | undefined): KeyObject {
  if (secret === undefined) {
    processSecret ??= createSecretKey(randomBytes(32));
    return processSecret;
  }
  assertOption(
    typeof secret === "string" || Buffer.isBuffer(secret),
    "credentialSecret must be a string or a Buffer",
  );
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  assertOption(
    bytes.length >= MIN_CREDENTIAL_SECRET_BYTES,
    `credentialSecret must be at least ${MIN_CREDENTIAL_SECRET_BYTES} bytes, got ${bytes.length}`,
  );
  return createSecretKey(Buffer.from(bytes));
}

/** The scope of one credential: `credential:<hex HMAC-SHA256(key, credential)>`. */
export function credentialScope(key: KeyObject, credential: string): string {
  return `credential:${createHmac("sha256", key).update(credential, "utf8").digest("hex")}`;
}

/**
 * The credential a request carries: its `Authorization` header, or undefined when it is missing,
 * blank, or a bare scheme (`Bearer` with no token).
 */
export function requestCredential(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== "string") return undefined;
  const trimmed = header.trim();
  if (trimmed === "" || /^[A-Za-z]+$/.test(trimmed)) return undefined;
  return header;
}

/**
 * The scope of a request's entries: its credential's scope when `key` is set (client keys are
 * forwarded), else undefined (the server's key: all callers share entries). Fails closed: a request
 * without a credential is refused (401), never answered from the shared, unscoped entries.
 */
export function requestScope(req: Request, key: KeyObject | undefined): string | undefined {
  if (key === undefined) return undefined;
  const credential = requestCredential(req);
  if (credential === undefined) throw missingCredential();
  return credentialScope(key, credential);
}

/**
 * The cache request with its scope in `context` (which enters both the exact key and the semantic
 * partition, so entries of two scopes never match, not even by meaning). Unchanged without a scope.
 */
export function scopedRequest(request: CacheRequest, scope: string | undefined): CacheRequest {
  if (scope === undefined) return request;
  return { ...request, context: { scope, request: request.context ?? null } };
}

/**
 * The cache request of a proxied call: scoped to the caller's credential (`requestScope`), and
 * with the credentials of the call (the key sent upstream, the base URL's userinfo) handed to the
 * engine as `secrets`, which never enter the key and keep any answer that echoes one from the store.
 */
export function proxiedRequest(req: Request, request: CacheRequest, ctx: ProxyContext): CacheRequest {
  const scoped = scopedRequest(request, requestScope(req, ctx.credentialKey));
  const client = ctx.credentialKey
    ? requestCredential(req)
        ?.trim()
        .replace(/^[A-Za-z]+\s+/, "")
    : undefined;
  // The engine searches answers only for the ones long enough to be credentials.
  const secrets = [...ctx.upstream.secrets, ...(client ? [client] : [])];
  return secrets.length > 0 ? { ...scoped, secrets } : scoped;
}

/**
 * A hit's id as the proxy hands it out (`X-Recall-Id`). When entries are scoped by credential, two
 * callers share a namespace, and core's id (which names the namespace, not the scope) would let one
 * report the other's answers: so the id gets a tag, an HMAC of the caller's scope and the id, which
 * only that caller can present (`unscopedHitId`). Unchanged when all callers share entries.
 */
export function proxiedOutcome<T>(
  req: Request,
  outcome: CacheOutcome<T>,
  ctx: Pick<ProxyContext, "credentialKey">,
): CacheOutcome<T> {
  if (outcome.id === undefined || ctx.credentialKey === undefined) return outcome;
  const scope = requestScope(req, ctx.credentialKey)!;
  return { ...outcome, id: `${outcome.id}.${hitIdTag(ctx.credentialKey, scope, outcome.id)}` };
}

/**
 * Core's hit id inside an id the proxy handed out, once its tag is checked against the caller's
 * credential (`proxiedOutcome`). Throws a 400 `ApiError` when the tag is missing or was made for
 * another credential. Unchanged when all callers share entries.
 */
export function unscopedHitId(req: Request, given: string, ctx: Pick<ProxyContext, "credentialKey">): string {
  if (ctx.credentialKey === undefined) return given;
  const scope = requestScope(req, ctx.credentialKey)!;
  const dot = given.lastIndexOf(".");
  const id = given.slice(0, dot);
  const tag = Buffer.from(given.slice(dot + 1));
  const expected = Buffer.from(hitIdTag(ctx.credentialKey, scope, id));
  if (dot <= 0 || !id.includes(".") || tag.length !== expected.length || !timingSafeEqual(tag, expected)) {
    throw new ApiError(
      400,
      "The hit id is not one this proxy issued to your API key: report only answers it gave you, with the X-Recall-Id header they came with and the same Authorization header.",
      "id",
      "invalid_hit_id",
    );
  }
  return id;
}

function hitIdTag(key: KeyObject, scope: string, id: string): string {
  return createHmac("sha256", key)
    .update(`recall-hit-id\n${scope}\n${id}`, "utf8")
    .digest("base64url")
    .slice(0, 22);
}

/**
 * Answers a request without a credential with 401 in OpenAI's error shape, before anything reaches
 * the cache or the upstream. Mounted only when the proxy forwards client keys.
 */
export const requireCredential: RequestHandler = (req, res, next) => {
  if (requestCredential(req) !== undefined) return next();
  res.setHeader("WWW-Authenticate", "Bearer");
  sendApiError(res, missingCredential());
};

function missingCredential(): ApiError {
  return new ApiError(
    401,
    "You didn't provide an API key: the Authorization header is missing. This proxy forwards each client's own key, so send it as Authorization: Bearer YOUR_KEY.",
    null,
    "missing_api_key",
  );
}
