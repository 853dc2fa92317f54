import { errorCodes, toRecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import type { CacheRequest } from "../request.js";
import type { CacheResponse } from "../response.js";
import { builtInVerdict, type StoreVerdict, type UserValidator, userVerdict } from "../validate.js";

/**
 * The validation stage: whether a fresh answer may be stored. The built-in rules first (no empty,
 * cut-off or failed answers), then the user's validators; a validator that throws is reported and
 * read as a refusal.
 */
export async function verdictOf(
  request: CacheRequest,
  response: CacheResponse,
  validators: UserValidator[],
  events: Emitter,
): Promise<StoreVerdict> {
  const builtIn = builtInVerdict(request, response);
  if (!builtIn.ok || validators.length === 0) return builtIn;
  try {
    return await userVerdict(validators, request, response);
  } catch (error) {
    events.emit("error", { error: toRecallError(errorCodes.VALIDATOR_ERROR, "a validator threw", error) });
    return { ok: false, reason: "a validator threw" };
  }
}
