/**
 * `recall dashboard --redis URL`: Recall's dashboard (from `@recall/express`) for a cache whose
 * entries live in Redis, served on this machine's loopback only. Its dependencies (`@recall/express`,
 * `@recall/redis`, `express`, `keyv`, `@keyv/redis`) are optional peers, imported only here.
 */
import type { AddressInfo } from "node:net";
import { createCache, errorCodes, type RecallCache, RecallError } from "@recall/core";
import { isMissingModule } from "@recall/core/adapter";
import type { StatsSource } from "@recall/express";
import { parseOptions } from "./args.js";
import type { CliIO } from "./calibrate.js";
import { UsageError } from "./usage-error.js";

export const DASHBOARD_HELP = `Usage: recall dashboard --redis URL [--port N] [--prefix P] [--key-prefix K] [--stats-prefix S] [--title T]

Serves Recall's dashboard for a cache whose entries are in Redis, at http://127.0.0.1:PORT/:
search, inspect, delete and purge entries, and the stats this process can see. It answers this
machine only (reach it from elsewhere through an SSH tunnel: ssh -L PORT:127.0.0.1:PORT host).

Stats: fleet-wide stats are read from Redis (@recall/redis's fleetStats): the counts every instance
running fleetStats(cache, { redis }) adds there. Without them (an older @recall/redis) the page shows
this process's own counts, which stay at zero as it serves no traffic, and says so.

Options:
  --redis URL         the cache's Redis, e.g. redis://127.0.0.1:6379 (default: REDIS_URL)
  --port N            port on 127.0.0.1 (default 8790; 0 picks a free one)
  --prefix P          Keyv namespace of the entries in Redis, as redisRecall's storeNamespace
                      (default recall: keys recall::<key>)
  --key-prefix K      the cache's keyPrefix (default recall)
  --stats-prefix S    the fleet stats' prefix, as fleetStats's prefix (default recall)
  --title T           the page's title (default "Recall on <host>")
  -h, --help          this help`;

const OPTIONS = {
  redis: { type: "string" },
  port: { type: "string" },
  prefix: { type: "string" },
  "key-prefix": { type: "string" },
  "stats-prefix": { type: "string" },
  title: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export interface DashboardArgs {
  redis: string;
  port: number;
  prefix: string;
  keyPrefix: string;
  /** Key prefix of the fleet stats in Redis (`fleetStats`'s `prefix`). */
  statsPrefix: string;
  title: string;
}

export function parseDashboardArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): DashboardArgs | "help" {
  const values = parseOptions(argv, OPTIONS, "recall dashboard --help");
  if (values.help) return "help";
  const redis = values.redis ?? env.REDIS_URL;
  if (!redis) throw new UsageError("--redis URL is required (or set REDIS_URL); see recall dashboard --help");
  let host: string;
  try {
    const url = new URL(redis);
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new Error("not redis");
    host = url.host;
  } catch {
    throw new UsageError(`--redis must be a redis:// or rediss:// URL, got ${JSON.stringify(redis)}`);
  }
  const port = values.port === undefined ? 8790 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
  const prefix = values.prefix ?? "recall";
  const keyPrefix = values["key-prefix"] ?? "recall";
  const statsPrefix = values["stats-prefix"] ?? "recall";
  for (const [name, value] of [
    ["--prefix", prefix],
    ["--key-prefix", keyPrefix],
    ["--stats-prefix", statsPrefix],
  ] as const)
    if (!value || value.length > 200) throw new UsageError(`${name} must be 1 to 200 characters`);
  return { redis, port, prefix, keyPrefix, statsPrefix, title: values.title ?? `Recall on ${host}` };
}

/** What the command uses of its optional peers. */
export interface DashboardModules {
  express: typeof import("express");
  recallExpress: typeof import("@recall/express");
  recallRedis: typeof import("@recall/redis");
}

const PEERS = ["express", "@recall/express", "@recall/redis", "keyv", "@keyv/redis"];

async function loadModules(): Promise<DashboardModules> {
  try {
    const [express, recallExpress, recallRedis] = await Promise.all([
      import("express"),
      import("@recall/express"),
      import("@recall/redis"),
    ]);
    return { express: express.default, recallExpress, recallRedis };
  } catch (cause) {
    const missing = PEERS.find((name) => isMissingModule(cause, name));
    if (!missing) throw cause;
    throw new RecallError(
      errorCodes.MISSING_DEPENDENCY,
      `recall dashboard needs ${missing}, an optional peer dependency of @recall/cli: npm install ${PEERS.join(" ")}`,
      { cause },
    );
  }
}

/** A running dashboard. */
export interface RunningDashboard {
  url: string;
  /** The cache it reads (entries in Redis). */
  cache: RecallCache;
  /** Whether the figures are the fleet's (every instance's) or only this process's. */
  fleet: boolean;
  close(): Promise<void>;
}

/**
 * Starts the dashboard for the cache whose entries are in `args.redis`, on 127.0.0.1. Rejects when
 * Redis cannot be reached within 3 s.
 */
export async function startDashboard(
  args: DashboardArgs,
  load: () => Promise<DashboardModules> = loadModules,
): Promise<RunningDashboard> {
  const { express, recallExpress, recallRedis } = await load();
  const redis = recallRedis.redisRecall({ url: args.redis, storeNamespace: args.prefix });
  const client = redis.client as { isReady?: boolean };
  for (let waited = 0; !client.isReady; waited += 50) {
    if (waited >= 3_000) {
      await redis.close().catch(() => {});
      throw new RecallError(errorCodes.STORE_ERROR, `cannot reach Redis at ${args.redis}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The bus tells the other instances' in-process indexes of what this dashboard deletes and purges.
  const cache = createCache({ store: redis.store, bus: redis.bus, keyPrefix: args.keyPrefix });
  await cache.ready();

  // Fleet-wide figures: what every instance running fleetStats flushed to this Redis. An older
  // @recall/redis without them leaves this process's own counters (zero: it serves no traffic).
  const fleet =
    typeof recallRedis.fleetStats === "function"
      ? recallRedis.fleetStats(cache, { redis, prefix: args.statsPrefix })
      : undefined;
  const source: StatsSource = fleet
    ? {
        label: fleet.label,
        fleet: true,
        note: `${fleet.note}. Only instances running fleetStats(cache, { redis, prefix: "${args.statsPrefix}" }) are counted; semantic hits and guard refusals are this process's (none).`,
        snapshot: () => fleet.snapshot(),
        series: () => fleet.series(),
      }
    : recallExpress.cacheStatsSource(
        cache,
        "Fleet-wide stats are not available (this @recall/redis has no fleetStats): these are this dashboard process's own counts, which stay at zero as it serves no traffic. Entries are read from Redis.",
      );
  const handler = recallExpress.dashboard(cache, { title: args.title, source });
  const app = express();
  app.disable("x-powered-by");
  app.use("/", handler);
  const server = app.listen(args.port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    cache,
    fleet: fleet !== undefined,
    async close() {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fleet?.close().catch(() => {});
      await cache.close();
      await redis.close();
    },
  };
}

/** Runs `recall dashboard` until SIGINT or SIGTERM (or `until` resolves); returns the exit code. */
export async function runDashboard(
  argv: string[],
  io: CliIO,
  until: Promise<unknown> = stopSignal(),
): Promise<number> {
  const args = parseDashboardArgs(argv);
  if (args === "help") {
    io.stdout(DASHBOARD_HELP);
    return 0;
  }
  const running = await startDashboard(args);
  io.stdout(
    `Recall dashboard: ${running.url} (entries in ${redactUrl(args.redis)}, prefix ${args.prefix}::)`,
  );
  io.stdout(
    running.fleet
      ? "Stats: the fleet's, from Redis."
      : "Stats: fleet-wide stats are not available; the page shows this process's own (zero) counts.",
  );
  io.stderr("Ctrl-C to stop.");
  await until;
  await running.close();
  return 0;
}

function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** The URL without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the given Redis";
  }
}
