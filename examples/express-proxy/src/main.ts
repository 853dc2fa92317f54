/**
 * `pnpm --filter @recall/example-express-proxy start`
 *
 * Env: PORT (default 8787), UPSTREAM_URL (default: a local mock started here), UPSTREAM_API_KEY or
 * OPENAI_API_KEY (default: forward each client's Authorization header), RECALL_SEMANTIC=0 (exact only).
 */
import { startProxyServer } from "./server.js";

const server = await startProxyServer({
  port: Number(process.env.PORT ?? 8787),
  ...(process.env.UPSTREAM_URL ? { upstreamUrl: process.env.UPSTREAM_URL } : {}),
  ...((process.env.UPSTREAM_API_KEY ?? process.env.OPENAI_API_KEY)
    ? { apiKey: process.env.UPSTREAM_API_KEY ?? process.env.OPENAI_API_KEY }
    : {}),
  semantic: process.env.RECALL_SEMANTIC !== "0",
  onProgress: (m) => console.error(`  ${m}`),
});

const ask = (question: string, extra = "") =>
  `curl -s -D - ${server.url}/chat/completions -H 'Content-Type: application/json' -H 'Authorization: Bearer sk-anything'${extra} \\\n    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${question}"}]}'`;

console.log(`
Recall caching proxy on ${server.url}  ->  upstream ${server.upstreamUrl}

Try it (look at the X-Recall-Cache header):

  # 1. a miss: goes upstream (the local mock waits 600 ms)
  ${ask("How do I reset my password?")}

  # 2. the same question again: HIT, answered from cache
  ${ask("How do I reset my password?")}

  # 3. a paraphrase: SEMANTIC, with X-Recall-Similarity
  ${ask("How can I reset my password?")}

  # 4. skip the cache for once (the fresh answer is still stored)
  ${ask("How do I reset my password?", " -H 'Cache-Control: no-cache'")}

  # 5. per-tenant entries
  ${ask("How do I reset my password?", " -H 'X-Recall-Namespace: acme'")}

  # 6. streaming, replayed as server-sent events on a hit
  curl -sN ${server.url}/chat/completions -H 'Content-Type: application/json' -H 'Authorization: Bearer sk-anything' \\
    -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"How do I reset my password?"}]}'

  # statistics and Prometheus metrics
  curl -s ${server.origin}/recall/stats
  curl -s ${server.origin}/metrics

Or point the openai SDK at it: new OpenAI({ baseURL: "${server.url}", apiKey: "sk-anything" })
Ctrl-C to stop.
`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
