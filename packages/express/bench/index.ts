/**
 * Requests per second for cache hits through the proxy against a bare Express route that returns
 * the same JSON, in the same run, and for a mix of hits and misses. autocannon drives loopback
 * HTTP from this process; the servers run in a child process.
 *   pnpm --filter @recall/express bench [--quick]
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

interface Figure {
  name: string;
  value: number;
  unit: string;
  comparedWith?: string;
  ratio?: number;
}

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

async function rps(
  url: string,
  duration: number,
  requests?: Parameters<typeof autocannon>[0]["requests"],
  fixed?: string,
) {
  const result = await autocannon({
    url,
    method: "POST",
    headers: HEADERS,
    connections: CONNECTIONS,
    duration,
    ...(fixed ? { body: fixed } : {}),
    ...(requests ? { requests } : {}),
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  }
  return result.requests.total / result.duration;
}

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

    progress(`warm-up (1 s each)`);
    await rps(`${bare}/v1/chat/completions`, 1, hits);
    await rps(`${proxy}/v1/chat/completions`, 1, hits);

    // Alternate short rounds, so a change in machine load hits both sides alike.
    const rounds = quick ? 3 : 5;
    const each = seconds / rounds;
    let bareSum = 0;
    let hitSum = 0;
    for (let round = 1; round <= rounds; round++) {
      progress(
        `round ${round}/${rounds}: bare route then proxy hits, ${each} s each, ${CONNECTIONS} connections`,
      );
      bareSum += await rps(`${bare}/v1/chat/completions`, each, hits);
      hitSum += await rps(`${proxy}/v1/chat/completions`, each, hits);
    }
    const bareRps = bareSum / rounds;
    const hitRps = hitSum / rounds;

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
    const mixedRps = await rps(`${proxy}/v1/chat/completions`, seconds, mixed as never);
    const after = (await (await fetch(`${proxy}/stats`)).json()) as {
      total: { hits: number; misses: number };
    };
    const hitsDone = after.total.hits - before.total.hits;
    const missesDone = after.total.misses - before.total.misses;
    progress(`mixed run: ${hitsDone} hits, ${missesDone} misses`);

    return [
      { name: "bare_route_rps", value: Math.round(bareRps), unit: "req/s" },
      {
        name: "proxy_hit_rps",
        value: Math.round(hitRps),
        unit: "req/s",
        comparedWith: "bare_route_rps",
        ratio: Math.round((hitRps / bareRps) * 100) / 100,
      },
      {
        name: "proxy_mixed_80_20_rps",
        value: Math.round(mixedRps),
        unit: "req/s",
        comparedWith: "proxy_hit_rps",
        ratio: Math.round((mixedRps / hitRps) * 100) / 100,
      },
      {
        name: "proxy_mixed_hit_share",
        value: Math.round((hitsDone / Math.max(1, hitsDone + missesDone)) * 100) / 100,
        unit: "ratio",
      },
    ];
  } finally {
    child.kill();
  }
}
