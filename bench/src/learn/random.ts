import { mulberry32 } from "@recall/core/testing";
/**
 * Seeded randomness for the learning-curve run, so every run asks the same questions in the same
 * order and the simulated judge makes the same mistakes.
 */

/** mulberry32, core's seeded generator: uniform in [0, 1). */
export const seededRandom: (seed: number) => () => number = mulberry32;

/**
 * A uniform draw in [0, 1) fixed by `seed` and the strings (FNV-1a, then one mulberry32 step): the
 * same inputs always draw the same number, whatever else was drawn before.
 */
export function hashedUniform(seed: number, ...parts: string[]): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ 0x1f, 0x01000193) >>> 0; // a separator, so ("ab", "c") differs from ("a", "bc")
  }
  return seededRandom(h)();
}

/** Fisher-Yates, in place. */
export function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
