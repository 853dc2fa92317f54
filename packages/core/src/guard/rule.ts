import type { GuardText } from "./text.js";

/**
 * One guard rule: a small named check of one kind of meaning-bearing detail. It returns a reason
 * (shown in `semantic-reject` events) when the candidate must be refused, `undefined` when it passes.
 */
export interface GuardRule {
  readonly name: string;
  check(question: GuardText, candidate: GuardText): string | undefined;
}

/** `"a, b"`, or `"none"` for an empty list: the two sides of a reason. */
export function list(values: Iterable<string>): string {
  const all = [...values];
  return all.length === 0 ? "none" : all.join(", ");
}

/** Values in one set and not the other, each way; undefined when the sets are equal. */
export function difference(a: ReadonlySet<string>, b: ReadonlySet<string>): [string[], string[]] | undefined {
  const onlyA = [...a].filter((x) => !b.has(x));
  const onlyB = [...b].filter((x) => !a.has(x));
  return onlyA.length === 0 && onlyB.length === 0 ? undefined : [onlyA, onlyB];
}
