/** `@recall/core/guard`: the rules that refuse a semantic candidate whose details differ. */
export type {
  GuardOptions,
  GuardRule,
  GuardRuleName,
  GuardText,
  GuardToken,
  GuardVerdict,
  SemanticGuard,
} from "../guard.js";
export { createGuard, DEFAULT_GUARD_RULES, defaultGuard, guardRules } from "../guard.js";
