import { createOpenAI } from "@ai-sdk/openai";
import { llmJudge } from "@recall/ai-sdk";
import type { Verifier } from "@recall/core";
import type { Upstream } from "./upstream.js";

/**
 * The demo's verifier: Recall's built-in LLM judge (`llmJudge` from @recall/ai-sdk) over an OpenAI
 * chat model at the demo's upstream, `upstream.judgeModel` (gpt-4.1-nano unless
 * OPENAI_JUDGE_MODEL says otherwise). On the local upstream the judge's verdicts are simulated from
 * the workload's labels (`judge-upstream.ts`); with OPENAI_API_KEY they come from the real model.
 */
export function demoJudge(upstream: Upstream): Verifier {
  const provider = createOpenAI({ baseURL: upstream.baseURL, apiKey: upstream.apiKey });
  return llmJudge({ model: provider.chat(upstream.judgeModel) });
}
