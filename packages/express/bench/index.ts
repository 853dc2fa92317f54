/**
 * Requests per second for cache hits through the proxy against a bare Express route that returns
 * the same JSON, in the same run, and for a mix of hits and misses. autocannon drives loopback
 * HTTP from this process; the servers run in a child process (one core each).
 *   pnpm --filter @recall/express bench [--quick]
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { type Figure, round } from "../../core/bench/figures.js";

const CONNECTIONS = 32;
const HEADERS = { "content-type": "application/json", authorization: "Bearer sk-client" };
const SYSTEM = "You are the support assistant of Acme Cloud. Answer briefly and cite the docs.";

const body = (question: string) =>
  JSON.stringify({
    model: "gpt-4o-mini",
    temperature: 0,
    messages: [
      { role: "system", content: SYSTEM },
      { role: "user", content: question },
    ],
  });

async function startServers(): Promise<{ child: ChildProcess; proxy: string; bare: string }> {
  const child = fork(fileURLToPath(new URL("./servers.ts", import.meta.url)), [], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const ports = JSON.parse(line.toString()) as { proxy: number; bare: number };
  return { child, proxy: `http://127.0.0.1:${ports.proxy}`, bare: `http://127.0.0.1:${ports.bare}` };
}

/** The servers' CPU time so far (user + system), in microseconds. */
async function cpuOf(child: ChildProcess): Promise<number> {
  child.send("cpu");
  const [message] = (await once(child, "message")) as [{ cpu: NodeJS.CpuUsage }];
  return message.cpu.user + message.cpu.system;
}

/** What one or more autocannon runs measured: request rate, requests done, server CPU spent. */
interface Run {
  seconds: number;
  requests: number;
  cpuUs: number;
}

type Requests = Parameters<typeof autocannon>[0]["requests"];

async function measure(child: ChildProcess, url: string, duration: number, requests: Requests): Promise<Run> {
  const before = await cpuOf(child);
  const result = await autocannon({
    url,
    method: "POST",
    headers: HEADERS,
    connections: CONNECTIONS,
    duration,
    requests,
  });
  const cpuUs = (await cpuOf(child)) - before;
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  }
  return { seconds: result.duration, requests: result.requests.total, cpuUs };
}

const rpsOf = (r: Run) => r.requests / r.seconds;
const cpuPerRequest = (r: Run) => r.cpuUs / r.requests;

export async function run({
  quick,
  progress,
}: {
  quick: boolean;
  progress: (m: string) => void;
}): Promise<Figure[]> {
  const seconds = quick ? 3 : 10;
  const { child, proxy, bare } = await startServers();
  try {
    // Warm the cache with a set of questions, and give the bare route the very same completion JSON.
    const warm = Array.from({ length: 50 }, (_, i) => body(`How do I rotate the API key of project ${i}?`));
    let completion = "";
    for (const b of warm) {
      const r = await fetch(`${proxy}/v1/chat/completions`, { method: "POST", headers: HEADERS, body: b });
      completion = await r.text();
    }
    await fetch(`${bare}/answer`, { method: "PUT", headers: HEADERS, body: completion });
    const check = await fetch(`${proxy}/v1/chat/completions`, {
      method: "POST",
      headers: HEADERS,
      body: warm[49],
    });
    if (check.headers.get("x-recall-cache") !== "HIT" || (await check.text()) !== completion) {
      throw new Error("the proxy did not answer the warm-up question from cache");
    }
    const hits = warm.map((b) => ({ body: b }));

    progress("warm-up (1 s each)");
    await measure(child, `${bare}/v1/chat/completions`, 1, hits);
    await measure(child, `${proxy}/v1/chat/completions`, 1, hits);

    // Many short rounds, alternating which side goes first, so changes in machine load (other
    // processes on a shared box) fall on both sides alike.
    const rounds = quick ? 6 : 20;
    const each = seconds / rounds;
    const bareRun: Run = { seconds: 0, requests: 0, cpuUs: 0 };
    const hitRun: Run = { seconds: 0, requests: 0, cpuUs: 0 };
    progress(
      `${rounds} alternating rounds of ${each} s: bare route and proxy hits, ${CONNECTIONS} connections`,
    );
    for (let i = 0; i < rounds; i++) {
      const sides = [
        [bareRun, bare],
        [hitRun, proxy],
      ] as const;
      for (const [into, url] of i % 2 === 0 ? sides : [...sides].reverse()) {
        const r = await measure(child, `${url}/v1/chat/completions`, each, hits);
        into.seconds += r.seconds;
        into.requests += r.requests;
        into.cpuUs += r.cpuUs;
      }
    }

    // Mixed: 4 hits (the warm set) to 1 new question, answered by the mock upstream with no latency.
    progress(`proxy 80% hits / 20% misses, ${seconds} s`);
    const before = (await (await fetch(`${proxy}/stats`)).json()) as {
      total: { hits: number; misses: number };
    };
    let n = 0;
    const mixed = [
      {
        setupRequest: (req: { body?: string }) => {
          n++;
          req.body = n % 5 === 0 ? body(`A brand new question number ${n}?`) : warm[n % warm.length]!;
          return req;
        },
      },
    ];
    const mixedRun = await measure(child, `${proxy}/v1/chat/completions`, seconds, mixed as Requests);
    const after = (await (await fetch(`${proxy}/stats`)).json()) as {
      total: { hits: number; misses: number };
    };
    const hitsDone = after.total.hits - before.total.hits;
    const missesDone = after.total.misses - before.total.misses;
    progress(`mixed run: ${hitsDone} hits, ${missesDone} misses`);

    const [bareRps, hitRps, mixedRps] = [rpsOf(bareRun), rpsOf(hitRun), rpsOf(mixedRun)];
    const [bareCpu, hitCpu, mixedCpu] = [
      cpuPerRequest(bareRun),
      cpuPerRequest(hitRun),
      cpuPerRequest(mixedRun),
    ];
    return [
      { name: "bare_route_rps", value: round(bareRps, 0), unit: "req/s" },
      {
        name: "proxy_hit_rps",
        value: round(hitRps, 0),
        unit: "req/s",
        comparedWith: "bare_route_rps",
        ratio: round(hitRps / bareRps, 2),
      },
      {
        name: "proxy_mixed_80_20_rps",
        value: round(mixedRps, 0),
        unit: "req/s",
        comparedWith: "proxy_hit_rps",
        ratio: round(mixedRps / hitRps, 2),
      },
      {
        name: "proxy_mixed_hit_share",
        value: round(hitsDone / Math.max(1, hitsDone + missesDone), 2),
        unit: "ratio",
      },
      // On a shared machine autocannon, not the server, may set the pace: the server's CPU time per
      // request prices its own work, and 1e6 / that is the rate one saturated core would serve.
      { name: "bare_route_cpu_us_per_req", value: round(bareCpu, 1), unit: "us" },
      {
        name: "proxy_hit_cpu_us_per_req",
        value: round(hitCpu, 1),
        unit: "us",
        comparedWith: "bare_route_cpu_us_per_req",
        ratio: round(hitCpu / bareCpu, 2),
      },
      { name: "bare_route_capacity_rps", value: round(1e6 / bareCpu, 0), unit: "req/s/core" },
      {
        name: "proxy_hit_capacity_rps",
        value: round(1e6 / hitCpu, 0),
        unit: "req/s/core",
        comparedWith: "bare_route_capacity_rps",
        ratio: round(bareCpu / hitCpu, 2),
      },
      {
        name: "proxy_mixed_80_20_capacity_rps",
        value: round(1e6 / mixedCpu, 0),
        unit: "req/s/core",
        comparedWith: "proxy_hit_capacity_rps",
        ratio: round(hitCpu / mixedCpu, 2),
      },
    ];
  } finally {
    child.kill();
  }
}
