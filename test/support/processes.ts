import { type ChildProcess, fork, spawn } from "node:child_process";
import { createServer, Socket } from "node:net";
import { fileURLToPath } from "node:url";

/** Every child we start, killed on exit whatever happens to the test run. */
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of children) c.kill("SIGKILL");
    });
  }
  return child;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Resolves once a Redis on `port` answers PING (or rejects after `timeoutMs`). */
async function redisAnswers(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      const done = (value: boolean) => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(500, () => done(false));
      socket.once("error", () => done(false));
      socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
      socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`redis-server on ${port} did not answer within ${timeoutMs} ms`);
}

/**
 * A `redis-server` of our own on a free port, without persistence, that a test can kill, restart,
 * pause (SIGSTOP: accepts connections, answers nothing) and resume.
 */
export async function startRedisServer() {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = track(
      spawn(
        "redis-server",
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--enable-debug-command",
          "yes",
        ],
        { stdio: "ignore" },
      ),
    );
    await redisAnswers(port, 10_000);
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** SIGKILL: the server dies mid-run, connections drop. */
    async kill() {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill("SIGCONT");
      c.kill("SIGKILL");
      await exited(c);
    },
    /** Starts an empty server again on the same port. */
    async restart() {
      await launch();
    },
    pause() {
      child?.kill("SIGSTOP");
    },
    resume() {
      child?.kill("SIGCONT");
    },
    async stop() {
      await this.kill();
    },
  };
}

export type RedisServer = Awaited<ReturnType<typeof startRedisServer>>;

/**
 * Runs a TypeScript file of `support/` as a child process (through tsx) with an IPC channel.
 * `env` reaches the child as RECALL_WORKER_CONFIG (JSON).
 */
export function forkScript(script: string, config: unknown): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return track(
    fork(path, [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, RECALL_WORKER_CONFIG: JSON.stringify(config) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
}

/** The next IPC message from `child` that `match` accepts. */
export function nextMessage<T>(
  child: ChildProcess,
  match: (m: any) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      reject(new Error(`no matching message from child ${child.pid} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: unknown) => {
      if (!match(m)) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(m as T);
    };
    child.on("message", onMessage);
  });
}

export async function killChild(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  child.kill(signal);
  await exited(child);
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 20,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(stepMs);
  }
  return check();
}
