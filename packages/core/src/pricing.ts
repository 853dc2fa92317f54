import type { Savings } from "./events.js";
import type { Usage } from "./response.js";

/** USD per million tokens. */
export interface ModelPrice {
  input?: number;
  output: number;
}

/**
 * List prices (USD per million tokens) of common models. Extend or override with the `pricing`
 * option; a model id matches its longest listed prefix (`gpt-4.1-2025-04-14` -> `gpt-4.1`).
 */
export const defaultPricing: Readonly<Record<string, ModelPrice>> = {
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "claude-sonnet-4.5": { input: 3, output: 15 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5 },
  "deepseek-v3.2": { input: 0.28, output: 0.42 },
};

export class PriceTable {
  private readonly prices: Record<string, ModelPrice>;
  private readonly ids: string[];

  constructor(extra: Record<string, ModelPrice> = {}) {
    this.prices = { ...defaultPricing, ...extra };
    // Longest first, so the most specific prefix wins.
    this.ids = Object.keys(this.prices).sort((a, b) => b.length - a.length);
  }

  /** The price of a model id (with or without a `provider/` or `provider:` prefix), if known. */
  priceOf(modelId: string): ModelPrice | undefined {
    const bare = modelId.replace(/^[^/:]+[/:]/, "");
    for (const candidate of [modelId, bare]) {
      const id = this.ids.find((known) => candidate === known || candidate.startsWith(`${known}-`));
      if (id) return this.prices[id];
    }
    return undefined;
  }

  /** What answering from cache saved: the tokens of the original call, priced. */
  savings(modelId: string, usage: Usage | undefined): Savings {
    const inputTokens = usage?.inputTokens ?? 0;
    const outputTokens = usage?.outputTokens ?? 0;
    const price = this.priceOf(modelId);
    const usd = price ? (inputTokens * (price.input ?? 0) + outputTokens * price.output) / 1_000_000 : 0;
    return { inputTokens, outputTokens, usd };
  }
}
