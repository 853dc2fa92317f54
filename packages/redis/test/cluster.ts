/**
 * The local Redis Cluster of the tests (and the bench): `test/cluster.sh` runs it, 3 primaries and 3
 * replicas on ports 7100-7105 (`.ci/run` starts it before the tests and stops it after). Tests that need it
 * skip with a message when it is not running, except in CI (`CI=true`), where they run and fail.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createClient } from "@keyv/redis";

const run = promisify(execFile);
const script = join(dirname(fileURLToPath(import.meta.url)), "cluster.sh");

export const CLUSTER_BASE_PORT = Number(process.env.REDIS_CLUSTER_BASE_PORT ?? 7100);

/** The six node urls of the cluster on `base`..`base`+5. */
export function clusterNodes(base = CLUSTER_BASE_PORT): string[] {
  return Array.from({ length: 6 }, (_, i) => `redis://127.0.0.1:${base + i}`);
}

/** `CLUSTER <args>` (or, `raw`, any command) on one node; undefined if it does not answer. */
export async function clusterCommand(port: number, args: string[], raw?: false): Promise<string | undefined>;
export async function clusterCommand(port: number, args: string[], raw: true): Promise<unknown>;
export async function clusterCommand(port: number, args: string[], raw = false): Promise<unknown> {
  const client = createClient({
    url: `redis://127.0.0.1:${port}`,
    socket: { reconnectStrategy: false, connectTimeout: 500 },
  });
  client.on("error", () => {});
  try {
    await client.connect();
    const reply = await client.sendCommand(raw ? args : ["CLUSTER", ...args]);
    return raw ? reply : String(reply);
  } catch {
    return undefined;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Whether the cluster on `base` answers `cluster_state:ok`. */
export async function clusterIsUp(base = CLUSTER_BASE_PORT): Promise<boolean> {
  return (await clusterCommand(base, ["INFO"]))?.includes("cluster_state:ok") ?? false;
}

/**
 * Why the cluster tests cannot run here, or undefined when they can. In CI the tests always run
 * (and fail if the cluster is absent).
 */
export async function clusterSkipReason(base = CLUSTER_BASE_PORT): Promise<string | undefined> {
  if (process.env.CI === "true" || (await clusterIsUp(base))) return undefined;
  return `no Redis Cluster on 127.0.0.1:${base}-${base + 5}: Redis Cluster tests skipped (start one with packages/redis/test/cluster.sh start)`;
}

/** Starts (`start`) or stops (`stop`) the cluster on `base` with test/cluster.sh. */
export async function clusterScript(
  command: "start" | "stop" | "status",
  base = CLUSTER_BASE_PORT,
): Promise<void> {
  await run("bash", [script, command, String(base)], { timeout: 60_000 });
}

/** Restarts one node of the cluster on `base` (it rejoins, as a replica if it was a failed primary). */
export async function restartNode(port: number, base = CLUSTER_BASE_PORT): Promise<void> {
  await run("bash", [script, "node", String(port), String(base)], { timeout: 30_000 });
}

const clusterDir = (base: number) =>
  process.env.RECALL_CLUSTER_DIR ?? join(process.env.TMPDIR ?? tmpdir(), `recall-redis-cluster-${base}`);

/** Kills a node's process outright (SIGKILL), as a crash would. */
export function killNode(port: number, base = CLUSTER_BASE_PORT): void {
  const pid = Number(readFileSync(join(clusterDir(base), `redis-${port}.pid`), "utf8").trim());
  process.kill(pid, "SIGKILL");
}

/** The nodes as one node sees them: port, role and whether it is marked failed. */
export async function clusterRoles(
  askPort: number,
): Promise<Array<{ port: number; primary: boolean; failed: boolean; slots: boolean }>> {
  const text = (await clusterCommand(askPort, ["NODES"])) ?? "";
  return text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [, address = "", flags = "", , , , , , ...slots] = line.split(" ");
      return {
        port: Number(address.split("@")[0]!.split(":")[1]),
        primary: flags.includes("master"),
        failed: flags.includes("fail"),
        slots: slots.length > 0,
      };
    });
}

/**
 * Waits until every node of `ports` says `cluster_state:ok` and, if `failed` is given, sees that node
 * as failed with its slots served by another (a replica took over); false if `timeoutMs` passes.
 */
export async function untilClusterOk(ports: number[], timeoutMs: number, failed?: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  const settled = async (port: number) => {
    if (!(await clusterCommand(port, ["INFO"]))?.includes("cluster_state:ok")) return false;
    if (failed === undefined) return true;
    const victim = (await clusterRoles(port)).find((r) => r.port === failed);
    return victim?.failed === true && !(victim.primary && victim.slots);
  };
  while (Date.now() < end) {
    if ((await Promise.all(ports.map(settled))).every(Boolean)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
