/**
 * The stampede over processes on Redis, for the generic engines beside Recall: per cache, 4 child
 * processes (`stampede-processes-child.ts`) share one Redis; in each of 3 bursts, every process fires
 * 50 concurrent identical cold get-or-set calls on one fresh key at the same instant (a start time
 * sent ahead, on one machine's clock), the upstream INCRing a Redis counter and taking 100 ms. The
 * figure is the most upstream calls in a burst. @epic-web/cachified is not measured here: it needs
 * a separate Redis adapter package. The children are killed on any failure; every key is deleted.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import { type BenchOptions, comparedFigure, type Figure } from "../../../packages/core/bench/figures.js";
import { ended, next } from "../load-stampede.js";
import { attempt, emptyReport, type PeerReport, REDIS_URL, redisDelete, yesNo } from "./common.js";
import type {
  FromPeerChild,
  PeerChildConfig,
  StampedePeer,
  ToPeerChild,
} from "./stampede-processes-child.js";

const CHILD = fileURLToPath(new URL("./stampede-processes-child.ts", import.meta.url));
const PROCESSES = 4;
const REQUESTS = 50;
const BURSTS = 3;

const peers: Array<{ peer: StampedePeer; cache: string; figure: string }> = [
  { peer: "recall", cache: "Recall (Redis store + Redis lock)", figure: "recall_stampede_4proc_redis_calls" },
  { peer: "bentocache", cache: "bentocache (redis)", figure: "peer_bentocache_stampede_4proc_redis_calls" },
  {
    peer: "cacheable",
    cache: "cacheable (@keyv/redis secondary)",
    figure: "peer_cacheable_stampede_4proc_redis_calls",
  },
];

/** Upstream calls of each burst, over the processes, read from the Redis counters. */
async function bursts(peer: StampedePeer, prefix: string, progress: (m: string) => void): Promise<number[]> {
  const children: ChildProcess[] = [];
  const counter = createClient({ url: REDIS_URL });
  let stopping = false;
  try {
    await counter.connect();
    for (let index = 0; index < PROCESSES; index++) {
      const config: PeerChildConfig = { peer, index, redisUrl: REDIS_URL, prefix };
      // The children inherit this process's execArgv, so tsx loads their TypeScript as it does ours.
      children.push(fork(CHILD, [JSON.stringify(config)], { stdio: ["ignore", "ignore", "inherit", "ipc"] }));
    }
    await Promise.all(children.map((c) => next<"ready", FromPeerChild>(c, "ready", 120_000)));
    const calls: number[] = [];
    for (let id = 0; id < BURSTS; id++) {
      const key = `${prefix}-upstream-${id}`;
      const done = children.map((c) =>
        next<"burst-done", FromPeerChild>(c, "burst-done", 60_000, String(id)),
      );
      const burst: ToPeerChild = {
        type: "burst",
        id,
        at: Date.now() + 250,
        entry: 4_000_000 + id,
        counter: key,
        requests: REQUESTS,
      };
      for (const c of children) c.send(burst);
      const reports = await Promise.all(done);
      const n = Number((await counter.get(key)) ?? 0);
      calls.push(n);
      progress(
        `${peer}: burst ${id + 1}/${BURSTS}: ${n} upstream call(s) (by process: ${reports.map((r) => r.upstreamCalls).join(", ")}); last process started ${Math.max(...reports.map((r) => r.lateMs))} ms late`,
      );
    }
    const stopped = children.map((c) => next<"stopped", FromPeerChild>(c, "stopped", 30_000));
    for (const c of children) c.send({ type: "stop" } satisfies ToPeerChild);
    stopping = true;
    await Promise.all(stopped);
    return calls;
  } finally {
    // Told to stop, they close and exit by themselves; after a failure they are killed at once.
    await Promise.all(children.map((c) => ended(c, stopping ? 10_000 : 0)));
    await counter.quit().catch(() => {});
  }
}

export async function run({ progress }: BenchOptions): Promise<PeerReport> {
  const report = emptyReport();
  const prefix = `recall-bench-peers-stampede-${process.pid}`;
  progress(
    `stampede over ${PROCESSES} processes on Redis: ${BURSTS} bursts of ${REQUESTS} identical cold calls per process (the upstream takes 100 ms)`,
  );
  let recall: Figure | undefined;
  try {
    for (const { peer, cache, figure } of peers)
      await attempt(report, `${cache}, stampede over processes`, progress, async () => {
        const calls = await bursts(peer, `${prefix}-${peer}`, progress);
        const most = Math.max(...calls);
        const f = comparedFigure(figure, most, "calls", recall);
        if (peer === "recall") recall = f;
        report.figures.push(f);
        report.behaviours.push({
          cache,
          behaviour: `stampede: ${PROCESSES} processes x ${REQUESTS} identical misses on Redis make 1 upstream call`,
          answer: yesNo(most === 1),
          measured: `${calls.join(", ")} upstream calls in ${BURSTS} bursts`,
        });
      });
  } finally {
    await redisDelete(prefix);
  }
  return report;
}
