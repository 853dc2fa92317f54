/**
 * What the peer modules share: the Redis URL, how a peer's figure is set beside Recall's, the
 * behaviour rows the peers table prints, and a Redis scan that reads what a store really holds.
 */
import { createClient } from "redis";
import { comparedFigure, type Figure, percentile, round } from "../../../packages/core/bench/figures.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** One observed behaviour of one cache: a yes/no answer and the count it rests on. */
export interface Behaviour {
  cache: string;
  behaviour: string;
  answer: "yes" | "no" | "n/a";
  measured: string;
}

/** What each peer module hands back: its figures and the behaviours it observed. */
export interface PeerReport {
  figures: Figure[];
  behaviours: Behaviour[];
  /** Peers that could not be set up or measured, with the reason (they do not fail the suite). */
  skipped: string[];
}

export const emptyReport = (): PeerReport => ({ figures: [], behaviours: [], skipped: [] });

/** The p50 of `samples` as a figure in microseconds, compared with `recall` when given. */
export function p50Figure(name: string, samples: number[], recall?: Figure): Figure {
  return comparedFigure(name, round(percentile(samples, 50)), "us", recall);
}

/**
 * Runs one peer's measurement; a failure (a peer that does not install, connect or behave) is
 * recorded as skipped with its message, and the suite goes on.
 */
export async function attempt(
  report: PeerReport,
  what: string,
  progress: (m: string) => void,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    report.skipped.push(`${what}: ${message}`);
    progress(`${what} FAILED, skipped: ${message}`);
  }
}

/** Every key under `prefix` and its value as text (hashes and strings), to look for a secret in. */
export async function redisDump(prefix: string): Promise<string[]> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const out: string[] = [];
    for await (const key of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      const type = await client.type(key);
      const value =
        type === "string"
          ? await client.get(key)
          : type === "hash"
            ? JSON.stringify(await client.hGetAll(key))
            : `(${type})`;
      out.push(`${key} ${value ?? ""}`);
    }
    return out;
  } finally {
    await client.quit();
  }
}

/** Deletes every key under `prefix`. */
export async function redisDelete(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const key of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(key);
    for (let i = 0; i < keys.length; i += 500) await client.del(keys.slice(i, i + 500));
  } finally {
    await client.quit();
  }
}

export const yesNo = (value: boolean): "yes" | "no" => (value ? "yes" : "no");

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
