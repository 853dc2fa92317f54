/**
 * What scoping entries by credential costs: one HMAC-SHA256 of the client's `Authorization` header
 * per cached request, against the work a request does anyway (keying it, and a whole in-process
 * cache hit). Single process, no HTTP.
 *   pnpm --filter @recall/express bench:credential
 */
import { type CacheRequest, createCache } from "@recall/core";
import { requestKeys } from "@recall/core/adapter";
import { credentialKey, credentialScope, scopedRequest } from "../src/credential-scope.js";

const ROUNDS = 5;
const AUTHORIZATION = `Bearer sk-proj-${"a1B2c3D4e5".repeat(16)}`;
const request: CacheRequest = {
  model: { provider: "openai", id: "gpt-4o-mini" },
  messages: [
    {
      role: "system",
      content: "You are the support assistant of Acme Cloud. Answer briefly and cite the docs.",
    },
    { role: "user", content: "How do I rotate the API key of project 17?" },
  ],
  params: { temperature: 0 },
};

/** Nanoseconds per call of `fn`: the best of `ROUNDS` rounds of `n` calls (after a warm-up round). */
async function nsPerOp(n: number, fn: () => unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const out = fn();
      if (out instanceof Promise) await out;
    }
    const ns = Number(process.hrtime.bigint() - start) / n;
    if (round > 0) best = Math.min(best, ns);
  }
  return best;
}

const key = credentialKey("bench-credential-secret-0123456789");
const scope = credentialScope(key, AUTHORIZATION);
// As the cache below keys (no semantic matching configured: no partition to derive).
const keyOptions = { prefix: "recall", namespace: "default", semantic: false };
const cache = createCache();
const scoped = scopedRequest(request, scope);
const warm = await cache.lookup(scoped);
if (warm.hit) throw new Error("the cache was not empty");
await warm.commit({
  body: '{"id":"chatcmpl-1"}',
  text: "Open the console, then Keys.",
  finishReason: "stop",
});
if (!(await cache.lookup(scoped)).hit) throw new Error("the warm entry was not stored");

const hmac = await nsPerOp(100_000, () => credentialScope(key, AUTHORIZATION));
const scopedKeys = await nsPerOp(50_000, () => requestKeys(scopedRequest(request, scope), keyOptions));
const keys = await nsPerOp(50_000, () => requestKeys(request, keyOptions));
const hit = await nsPerOp(20_000, () =>
  cache.lookup(scopedRequest(request, credentialScope(key, AUTHORIZATION))),
);
await cache.close();

const rows = [
  { operation: "HMAC-SHA256 of the Authorization header (credential scope)", ns: hmac },
  { operation: "request key computation (requestKeys), unscoped", ns: keys },
  { operation: "request key computation, with the credential scope in context", ns: scopedKeys },
  { operation: "in-process hit: HMAC + cache.lookup (memory store)", ns: hit },
];
console.table(
  rows.map((r) => ({
    operation: r.operation,
    "ns/op": Math.round(r.ns),
    "HMAC share": r.ns === hmac ? "" : `${((hmac / r.ns) * 100).toFixed(1)} %`,
  })),
);
console.log(
  `Scoping adds about ${Math.round(hmac + scopedKeys - keys)} ns per cached request: the HMAC, and keying a request that has a context.`,
);
