/**
 * The stampede guarantee under load, across processes: `processes` app instances (child processes,
 * `load-stampede-child.ts`) share one Redis store, lock and bus, each busy with its own background
 * load of new questions. In each burst, every instance fires `requests` identical cold requests at
 * the same instant (a start time sent ahead, on one machine's clock); the bursts' upstream calls
 * are summed over the instances. The children are killed on any failure.
 */
import { type ChildProcess, fork } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { ChildConfig, FromChild, ToChild } from "./load-stampede-child.js";

export interface StampedeOptions {
  redisUrl: string;
  prefix: string;
  processes: number;
  requests: number;
  bursts: number;
  /** Callers of each instance's background load. */
  backgroundClients: number;
  /** Background load before the first burst, in ms. */
  warmupMs: number;
  progress: (message: string) => void;
}

export interface StampedeResult {
  /** Upstream calls of each burst, over all instances. */
  upstreamCalls: number[];
  /** Background requests completed, over all instances. */
  backgroundRequests: number;
  /** Errors reported by the caches, by code, over all instances. */
  errors: Record<string, number>;
  shed: number;
}

const CHILD = fileURLToPath(new URL("./load-stampede-child.ts", import.meta.url));

/**
 * The next message of `type` from `child`, or a rejection if it exits or takes longer than `timeoutMs`;
 * with `where`, only a message whose `id` is `where`. `M` is the union of the child's messages.
 */
export function next<T extends M["type"], M extends { type: string } = FromChild>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
  where = "",
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message: M) => {
      if (message.type !== type || (where && "id" in message && String(message.id) !== where)) return;
      cleanup();
      resolve(message as Extract<M, { type: T }>);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`a stampede process exited (${signal ?? code}) before sending ${type}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`a stampede process sent no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

const tell = (child: ChildProcess, message: ToChild) => child.send(message);

export async function runStampede(options: StampedeOptions): Promise<StampedeResult> {
  const { processes, progress } = options;
  const children: ChildProcess[] = [];
  let stopping = false;
  try {
    for (let index = 0; index < processes; index++) {
      const config: ChildConfig = {
        index,
        redisUrl: options.redisUrl,
        prefix: options.prefix,
        clients: options.backgroundClients,
      };
      // The children inherit this process's execArgv, so tsx loads their TypeScript as it does ours.
      children.push(fork(CHILD, [JSON.stringify(config)], { stdio: ["ignore", "ignore", "inherit", "ipc"] }));
    }
    progress(`${processes} processes loading the model and connecting to Redis`);
    const ready = await Promise.all(children.map((c) => next(c, "ready", 180_000)));
    progress(`ready in ${Math.max(...ready.map((r) => r.loadMs)).toFixed(0)} ms; background load on`);
    for (const c of children) tell(c, { type: "load" });
    await sleep(options.warmupMs);

    const upstreamCalls: number[] = [];
    for (let id = 0; id < options.bursts; id++) {
      const question = `${questionOfBurst(id)} (burst ${id} of run ${options.prefix})`;
      const done = children.map((c) => next(c, "burst-done", 120_000, String(id)));
      const at = Date.now() + 250;
      for (const c of children) tell(c, { type: "burst", id, at, question, requests: options.requests });
      const reports = await Promise.all(done);
      const calls = reports.reduce((sum, r) => sum + r.upstreamCalls, 0);
      upstreamCalls.push(calls);
      const statuses = sumCounts(reports.map((r) => r.statuses));
      const late = Math.max(...reports.map((r) => r.lateMs));
      const errors = sumCounts(reports.map((r) => r.errors));
      progress(
        `burst ${id + 1}/${options.bursts}: ${calls} upstream call(s); ${JSON.stringify(statuses)}; last process started ${late} ms late; errors meanwhile ${JSON.stringify(errors)}`,
      );
      await sleep(500);
    }

    const stopped = children.map((c) => next(c, "stopped", 60_000));
    for (const c of children) tell(c, { type: "stop" });
    stopping = true;
    const reports = await Promise.all(stopped);
    return {
      upstreamCalls,
      backgroundRequests: reports.reduce((sum, r) => sum + r.requests, 0),
      errors: sumCounts(reports.map((r) => r.errors)),
      shed: reports.reduce((sum, r) => sum + r.shed, 0),
    };
  } finally {
    // Told to stop, they close and exit by themselves; after a failure they are killed at once.
    await Promise.all(children.map((c) => ended(c, stopping ? 10_000 : 0)));
  }
}

/** Counts by name, added up over the processes. */
function sumCounts(counts: Array<Record<string, number>>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const c of counts) for (const [name, n] of Object.entries(c)) sum[name] = (sum[name] ?? 0) + n;
  return sum;
}

/** Waits up to `graceMs` for `child` to exit by itself, then kills it. */
export async function ended(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

const bursts = [
  "How do I export every invoice of last year as one PDF?",
  "Why was my card charged twice this month?",
  "How do I move a project to another workspace?",
  "Can I get an email when an API key is about to expire?",
  "How do I add a second owner to my organization?",
];

function questionOfBurst(id: number): string {
  return bursts[id % bursts.length]!;
}
