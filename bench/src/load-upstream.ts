/**
 * The model behind the cache in the load benchmark: an LLM call that only waits (a timer of
 * `minMs` to `maxMs`, no CPU), and counts how often it was called.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CacheResponse } from "@recall/core";

export interface FakeUpstream {
  /** Calls made so far. */
  readonly calls: number;
  /** One model call answering `question`. */
  call(question: string): Promise<CacheResponse>;
}

export function fakeUpstream({ minMs = 100, maxMs = 300 } = {}): FakeUpstream {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async call(question) {
      calls++;
      await sleep(minMs + Math.random() * (maxMs - minMs));
      const text = `Here is how: ${question.toLowerCase()} Open Settings and follow the steps.`;
      return {
        body: { text },
        text,
        finishReason: "stop",
        usage: { inputTokens: 40, outputTokens: 25 },
      };
    },
  };
}
