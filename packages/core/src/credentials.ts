import { setOwn } from "./normalize.js";

/**
 * Credentials never reach a stored key or value. Adapters meet them where SDKs mix them into what
 * describes a call (LangChain's `llmKey` holds most providers' API key in plain text; AI SDK
 * provider options may hold one): this file decides what counts as a credential, so an adapter can
 * drop it from the key and hand the values to the engine as `request.secrets`, which then refuses
 * to store any answer that carries one.
 */

/** Member names that hold credentials. `token` but not `tokens` (max_tokens changes the answer). */
const SECRET_NAME = /key|secret|passw(or)?d|pwd|authori[sz]ation|credential|cookie|token(?!s)|^auth$|bearer/i;

/** Values that look like credentials whatever their member is called. */
const SECRET_VALUE =
  /^(sk-|sk_(live|test)_|rk_(live|test)_|pk_(live|test)_|bearer\s|basic\s|xox[abpr]-|gh[pousr]_|github_pat_|glpat-|AIza|ya29\.|AKIA|ASIA|hf_|r8_)/i;

/** Shorter strings are not checked for leaks (too many false alarms, and no real key is that short). */
const MIN_SECRET_LENGTH = 8;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
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
