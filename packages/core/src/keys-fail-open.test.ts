import { describe, expect, it, vi } from "vitest";
import { createCache } from "./cache.js";
import { errorCodes, type RecallError } from "./errors.js";
import type { CacheRequest } from "./request.js";

/** A value `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = { k: value };
  return value;
}

const ask = (extra: Partial<CacheRequest>): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user", content: "What is deep?" }],
  ...extra,
});
const answer = async () => ({ body: { text: "deep" }, text: "deep", finishReason: "stop" as const });

describe("a request too deep or cyclic to key fails open", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const cases: Array<[string, CacheRequest]> = [
    ["20,000 levels of context", ask({ context: nested(20_000) })],
    ["a cyclic params.extra", ask({ params: { extra: { cyclic } } })],
    [
      "a deep tool result",
      ask({
        messages: [
          {
            role: "tool",
            content: [{ type: "tool-result", toolCallId: "1", toolName: "t", output: nested(5_000) }],
          },
          { role: "user", content: "And now?" },
        ],
      }),
    ],
  ];
  for (const [name, request] of cases) {
    it(`${name}: the call runs uncached, with an error event naming the problem`, async () => {
      const cache = createCache();
      const errors: RecallError[] = [];
      cache.on("error", (e) => errors.push(e.error));
      const call = vi.fn(answer);
      for (let i = 0; i < 2; i++) {
        const outcome = await cache.run(request, call, { namespace: "__proto__" });
        expect(outcome).toMatchObject({ status: "bypass", stored: false, response: { text: "deep" } });
      }
      expect(call).toHaveBeenCalledTimes(2);
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatchObject({ code: errorCodes.INVALID_REQUEST, message: /nested deeper|cyclic/ });
      const proto = "__proto__";
      expect(cache.stats.snapshot().namespaces[proto]).toMatchObject({ errors: 2, hits: 0 });
      await cache.close();
    });
  }
});
