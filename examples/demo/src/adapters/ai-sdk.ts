import { createOpenAI } from "@ai-sdk/openai";
import { type RecallMetadata, recallMiddleware } from "@recall/ai-sdk";
import { generateText, wrapLanguageModel } from "ai";
import { type AdapterFactory, SYSTEM_PROMPT } from "./types.js";

/** The Vercel AI SDK: `generateText` on an OpenAI chat model wrapped in Recall's middleware. */
export const aiSdkAdapter: AdapterFactory = async (cache, upstream) => {
  const provider = createOpenAI({ baseURL: upstream.baseURL, apiKey: upstream.apiKey });
  const model = wrapLanguageModel({
    model: provider.chat(upstream.model),
    middleware: recallMiddleware({ cache }),
  });
  return {
    name: "ai-sdk (generateText + recallMiddleware)",
    async ask(question) {
      const result = await generateText({ model, system: SYSTEM_PROMPT, prompt: question, temperature: 0 });
      const recall = result.providerMetadata?.recall as RecallMetadata | undefined;
      if (!recall) throw new Error("no providerMetadata.recall on the result");
      return {
        text: result.text,
        status: recall.status,
        similarity: recall.similarity,
        matchedQuestion: recall.matchedQuestion,
        decidedBy: recall.decidedBy,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
      };
    },
    close: async () => {},
  };
};
