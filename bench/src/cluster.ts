/**
 * Recall on a Redis Cluster (issue 17): what an exact hit costs through a cluster client, beside the
 * same hits on the single Redis, timed interleaved in this run; and a primary killed during steady
 * traffic (on a cluster of its own): failed calls (goal 0) and upstream calls of a burst of identical
 * cold requests once a replica has taken over (goal 1).
 *
 * Needs the local cluster of packages/redis/test/cluster.sh (3 primaries, 3 replicas on 7100-7105;
 * `.ci/run` starts it) and Redis on REDIS_URL; skipped with a message when no cluster runs. The
 * failover part starts and stops its own cluster on 7130-7135.
 *   pnpm bench --only=cluster
 */
import KeyvRedis, { createCluster } from "@keyv/redis";
import { createCache } from "@recall/core";
import { failFastClusterOptions } from "@recall/redis";
import Keyv from "keyv";
import { request, response } from "../../packages/core/bench/exact-workload.js";
import {
  type BenchOptions,
  comparedFigure,
  type Figure,
  percentile,
  round,
  timeInterleaved,
} from "../../packages/core/bench/figures.js";
import { clusterIsUp, clusterNodes, clusterScript } from "../../packages/redis/test/cluster.js";
import { runFailover } from "../../packages/redis/test/failover.js";
import { REDIS_URL } from "./load-redis.js";

const FAILOVER_BASE = 7130;

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  if (!(await clusterIsUp())) {
    progress(
      "skipped: no Redis Cluster on 127.0.0.1:7100-7105 (start one with packages/redis/test/cluster.sh start)",
    );
    return [];
  }
  const figures: Figure[] = [];
  const entries = 1_000;
  const count = quick ? 5_000 : 20_000;
  const upstream = async () => response;
  const namespace = `recall-bench-cluster-${process.pid}`;

  // The exact suite's setup (a Keyv over @keyv/redis, storeTimeoutMs 1 s, 1,000 entries) on each.
  const single = new Keyv({ store: new KeyvRedis(REDIS_URL), namespace });
  const cluster = new Keyv({
    store: new KeyvRedis(createCluster(failFastClusterOptions(clusterNodes()))),
    namespace,
  });
  try {
    const onSingle = createCache({ store: single, storeTimeoutMs: 1_000 });
    const onCluster = createCache({ store: cluster, storeTimeoutMs: 1_000 });
    progress(`exact hits: ${count} on the single Redis and ${count} on the cluster, interleaved`);
    for (let i = 0; i < entries; i++) {
      await onSingle.run(request(i), upstream);
      await onCluster.run(request(i), upstream);
    }
    const never = () => {
      throw new Error("a hit must not call upstream");
    };
    let i = 0;
    let j = 0;
    const [singleTimes, clusterTimes] = await timeInterleaved(count, [
      () => onSingle.run(request(i++ % entries), never),
      () => onCluster.run(request(j++ % entries), never),
    ]);
    const base: Figure = {
      name: "exact_hit_redis_beside_cluster_p50_us",
      value: round(percentile(singleTimes, 50)),
      unit: "us",
    };
    figures.push(base);
    figures.push(comparedFigure("cluster_exact_hit_p50_us", round(percentile(clusterTimes, 50)), "us", base));
    figures.push({
      name: "cluster_exact_hit_p99_us",
      value: round(percentile(clusterTimes, 99)),
      unit: "us",
    });
    await onSingle.close();
    await onCluster.close();
  } finally {
    for (const keyv of [single, cluster]) {
      await keyv.clear().catch(() => {});
      await keyv.disconnect().catch(() => {});
    }
  }

  progress(`failover: a cluster of its own on ${FAILOVER_BASE}-${FAILOVER_BASE + 5}`);
  await clusterScript("stop", FAILOVER_BASE);
  await clusterScript("start", FAILOVER_BASE);
  try {
    const result = await runFailover({ base: FAILOVER_BASE, calls: 200, burst: 50, progress });
    figures.push({ name: "cluster_failover_failed_calls", value: result.failedCalls, unit: "calls" });
    figures.push({
      name: "cluster_failover_burst_upstream_calls",
      value: result.burstUpstreamCalls,
      unit: "calls",
    });
    figures.push({ name: "cluster_failover_takeover_ms", value: result.failoverMs, unit: "ms" });
    figures.push({ name: "cluster_failover_clients_recovered_ms", value: result.recoveredMs, unit: "ms" });
  } finally {
    await clusterScript("stop", FAILOVER_BASE);
  }
  return figures;
}
