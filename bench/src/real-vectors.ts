/**
 * Real sentence embeddings for the index and semantic benchmarks: the questions of the dev pairs
 * and the GPTCache mock pairs (read from ../shared/data, never copied), embedded with the local
 * all-MiniLM-L6-v2. Cached under .bench/ so a second run does not embed again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Embedder } from "@recall/core";

export interface RealSentences {
  texts: string[];
  /** Pairs labelled paraphrase (a, b), as indexes into texts. */
  paraphrases: Array<[number, number]>;
}

export function loadSentences(root: string): RealSentences | undefined {
  const dir = join(root, "../shared/data");
  const qqp = join(dir, "qqp-dev.jsonl");
  if (!existsSync(qqp)) return undefined;
  const index = new Map<string, number>();
  const texts: string[] = [];
  const add = (t: string) => {
    const s = t.trim();
    let i = index.get(s);
    if (i === undefined) {
      i = texts.length;
      texts.push(s);
      index.set(s, i);
    }
    return i;
  };
  const paraphrases: Array<[number, number]> = [];
  for (const line of readFileSync(qqp, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { a, b, label } = JSON.parse(line) as { a: string; b: string; label: number };
    const ia = add(a);
    const ib = add(b);
    if (label === 1) paraphrases.push([ia, ib]);
  }
  const mock = join(dir, "gptcache-mock-pairs.json");
  if (existsSync(mock)) {
    for (const p of JSON.parse(readFileSync(mock, "utf8")) as Array<{ origin: string; similar: string }>) {
      paraphrases.push([add(p.origin), add(p.similar)]);
    }
  }
  return { texts, paraphrases };
}

export async function embedAll(
  root: string,
  embedder: Embedder,
  texts: string[],
  progress: (m: string) => void,
): Promise<Float32Array[]> {
  const hash = createHash("sha256").update(embedder.id).update(texts.join("\n")).digest("hex").slice(0, 16);
  const dir = join(root, ".bench");
  const file = join(dir, `embeddings-${hash}.f32`);
  const dims = embedder.dimensions;
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    progress(`loaded ${texts.length} cached embeddings from ${file}`);
    return texts.map((_, i) => all.slice(i * dims, (i + 1) * dims));
  }
  const out: Float32Array[] = [];
  const started = performance.now();
  for (let i = 0; i < texts.length; i += 64) {
    out.push(...(await embedder.embed(texts.slice(i, i + 64))));
    if ((i / 64) % 20 === 0) {
      const rate = out.length / ((performance.now() - started) / 1000);
      progress(`embedded ${out.length}/${texts.length} sentences (${rate.toFixed(0)}/s)`);
    }
  }
  mkdirSync(dir, { recursive: true });
  const flat = new Float32Array(texts.length * dims);
  out.forEach((v, i) => {
    flat.set(v, i * dims);
  });
  writeFileSync(file, Buffer.from(flat.buffer));
  return out;
}
