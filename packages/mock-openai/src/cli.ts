#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startMockOpenAI } from "./server";

const HELP = `recall-mock-openai: a local OpenAI-compatible server (chat completions, Responses API, embeddings)

Usage: recall-mock-openai [--port 4010] [--latency 400] [--tps 60] [--embed-latency 0] [--api-key KEY]

  --port, -p        port on 127.0.0.1 (default 4010; 0 = any free port)
  --latency, -l     simulated time to first token / to the response, ms (default 0)
  --tps             streaming pace, tokens per second (default: as fast as possible)
  --embed-latency   simulated latency of /v1/embeddings, ms (default 0)
  --api-key         require "Authorization: Bearer <key>" (default: accept any)
  --quiet, -q       do not log requests
  --help, -h        show this help
`;

function num(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`recall-mock-openai: --${name} must be a non-negative number, got "${value}"`);
    process.exit(2);
  }
  return n;
}

/** The command line, or exit code 2 with the flag named on an unknown flag or a missing value. */
function commandLine() {
  try {
    return parseArgs({
      strict: true,
      options: {
        port: { type: "string", short: "p" },
        latency: { type: "string", short: "l" },
        tps: { type: "string" },
        "embed-latency": { type: "string" },
        "api-key": { type: "string" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    if (!String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_")) throw error;
    console.error(`recall-mock-openai: ${(error as Error).message.split(/\.\s|\n/)[0]} (see --help)`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { values } = commandLine();
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const server = await startMockOpenAI({
    port: num("port", values.port, 4010),
    latencyMs: num("latency", values.latency, 0),
    tokensPerSecond: num("tps", values.tps),
    embedLatencyMs: num("embed-latency", values["embed-latency"], 0),
    apiKey: values["api-key"],
  });
  console.log(`recall-mock-openai listening on ${server.url}`);
  if (!values.quiet) {
    let seen = 0;
    const timer = setInterval(() => {
      for (; seen < server.requests.length; seen++) {
        const r = server.requests[seen]!;
        console.log(
          `${r.endpoint.padEnd(10)} ${r.model || "-"}${r.stream ? " (stream)" : ""} -> ${r.status}`,
        );
      }
    }, 200);
    timer.unref();
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err) => {
  console.error(`recall-mock-openai: ${err?.message ?? err}`);
  process.exit(1);
});
