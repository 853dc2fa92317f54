/**
 * What labelled pairs say about a semantic hit. In a calibration every `a` shares one cache, so a
 * lookup for `b` can return its own pair's `a` (the pair's label decides) or another pair's question.
 * Pairs also tie questions across the file: label 1 puts two questions in one group of duplicates
 * (duplicate labels are transitive: Quora merges duplicate questions into one), label 0 keeps two
 * groups apart. A hit the labels say nothing about is `unlabelled`: neither right nor wrong by the data.
 */

export type LabelVerdict = "right" | "wrong" | "unlabelled";

export interface LabelledPair {
  a: string;
  b: string;
  label: 0 | 1;
}

/** Union-find over question texts. */
class Groups {
  readonly #parent = new Map<string, string>();

  root(text: string): string {
    const parent = this.#parent.get(text);
    if (parent === undefined || parent === text) return text;
    const root = this.root(parent);
    this.#parent.set(text, root);
    return root;
  }

  join(x: string, y: string): void {
    const rx = this.root(x);
    const ry = this.root(y);
    if (rx !== ry) this.#parent.set(rx, ry);
  }
}

/**
 * A judge over `pairs` (texts already normalized as the cache stores them): the verdict on pair
 * `index`'s lookup returning `matched`.
 */
export function labelJudge(pairs: LabelledPair[]): (index: number, matched: string) => LabelVerdict {
  const groups = new Groups();
  for (const p of pairs) if (p.label === 1) groups.join(p.a, p.b);
  const apart = new Set<string>();
  for (const p of pairs) {
    if (p.label === 1) continue;
    const x = groups.root(p.a);
    const y = groups.root(p.b);
    apart.add(`${x}\u0000${y}`).add(`${y}\u0000${x}`);
  }
  return (index, matched) => {
    const pair = pairs[index]!;
    if (matched === pair.b) return "right";
    if (matched === pair.a) return pair.label === 1 ? "right" : "wrong";
    const x = groups.root(pair.b);
    const y = groups.root(matched);
    if (x === y) return "right";
    return apart.has(`${x}\u0000${y}`) ? "wrong" : "unlabelled";
  };
}
