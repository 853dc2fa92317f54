import { setOwn } from "./normalize.js";

/**
 * Credentials never reach a stored key or value. Adapters meet them where SDKs mix them into what
 * describes a call (LangChain's `llmKey` holds most providers' API key in plain text; AI SDK
 * provider options may hold one): this file decides what counts as a credential, so an adapter can
 * drop it from the key and hand the values to the engine as `request.secrets`, which then refuses
 * to store any answer that carries one.
 */

/**
 * What a member name's words say of it. A name is read as words ("clientSecret" → client secret,
 * "X-API-Key" → x api key). Credentials are named by their last word ("apiKey", "accessToken",
 * "password") or carry a word that is only ever a credential ("authorization", "cookie", …). A
 * name that merely contains one of these letters is not one: "keywords", "tokenizer", "maxTokens",
 * "tokenLimit", "promptCacheKey" (a cache key, not a credential) change the answer and stay keyed.
 */
const CREDENTIAL_WORDS = new Set([
  "secret",
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "credential",
  "credentials",
  "cookie",
  "cookies",
  "authorization",
  "authorisation",
  "bearer",
  "apikey",
]);
/** Last words that are credentials on their own ("token", "accessToken", "auth"). */
const CREDENTIAL_LAST_WORDS = new Set(["token", "auth", "secret", "signature"]);
/** Words before "key" that make it a credential ("apiKey", "privateKey"), unlike "cacheKey". */
const KEY_QUALIFIERS = new Set([
  "api",
  "private",
  "secret",
  "access",
  "client",
  "subscription",
  "auth",
  "master",
  "signing",
  "encryption",
  "service",
  "license",
  "account",
  "x",
]);

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Values that look like credentials whatever their member is called. */
const SECRET_VALUE =
  /^(sk-|sk_(live|test)_|rk_(live|test)_|pk_(live|test)_|bearer\s|basic\s|xox[abpr]-|gh[pousr]_|github_pat_|glpat-|AIza|ya29\.|AKIA|ASIA|hf_|r8_)/i;

/** Shorter strings are not checked for leaks (too many false alarms, and no real key is that short). */
export const MIN_SECRET_LENGTH = 8;

/** Names seen so far: parameters repeat from call to call, and reading a name costs a few regexes. */
const verdicts = new Map<string, boolean>();
const MAX_REMEMBERED = 2_000;

export function isSecretName(name: string): boolean {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    verdict = readName(name);
    if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
    verdicts.set(name, verdict);
  }
  return verdict;
}

function readName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (words.some((w) => CREDENTIAL_WORDS.has(w)) || CREDENTIAL_LAST_WORDS.has(last)) return true;
  if (last !== "key" && last !== "keys") return false;
  return words.length === 1 || KEY_QUALIFIERS.has(words[words.length - 2]!);
}

export function looksLikeSecret(value: string): boolean {
  return SECRET_VALUE.test(value.trim());
}

/**
 * Every string under a secret-named member, or that looks like a credential, anywhere in `value`.
 * Used to check that nothing Recall stores contains one of them.
 */
export function collectSecrets(
  value: unknown,
  found: Set<string> = new Set(),
  underSecret = false,
): Set<string> {
  if (typeof value === "string") {
    if ((underSecret || looksLikeSecret(value)) && value.length >= MIN_SECRET_LENGTH) found.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, found, underSecret);
  } else if (typeof value === "object" && value !== null) {
    for (const [name, member] of Object.entries(value))
      collectSecrets(member, found, underSecret || isSecretName(name));
  }
  return found;
}

/**
 * A copy of `value` without credentials: members with a secret name whose value is not an object
 * (an object is searched instead, so a tool schema's `password` property survives), and strings
 * that look like credentials.
 */
export function stripSecrets(value: unknown): unknown {
  if (typeof value === "string") return looksLikeSecret(value) ? undefined : value;
  if (Array.isArray(value)) return value.map(stripSecrets).filter((v) => v !== undefined);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    const isContainer = typeof member === "object" && member !== null;
    if (isSecretName(name) && !isContainer) continue;
    const kept = stripSecrets(member);
    if (kept !== undefined) setOwn(out, name, kept);
  }
  return out;
}

/** True when `text` contains any of `secrets`. */
export function containsSecret(text: string, secrets: Iterable<string>): boolean {
  for (const secret of secrets) if (text.includes(secret)) return true;
  return false;
}
