import { ChatOpenAI } from "@langchain/openai";
import { withRecall } from "@recall/langchain";
import { type AdapterFactory, type Answer, SYSTEM_PROMPT } from "./types.js";

/** LangChain.js: a `ChatOpenAI` model wrapped with `withRecall`, asked with `invoke`. */
export const langchainAdapter: AdapterFactory = async (cache, upstream) => {
  const model = withRecall(
    new ChatOpenAI({
      model: upstream.model,
      apiKey: upstream.apiKey,
      configuration: { baseURL: upstream.baseURL },
      temperature: 0,
    }),
    { cache },
  );
  return {
    name: "langchain (ChatOpenAI + withRecall)",
    async ask(question) {
      const message = await model.invoke([
        { role: "system", content: SYSTEM_PROMPT },
        { role: "user", content: question },
      ]);
      const recall = message.response_metadata?.recall as
        | Pick<Answer, "status" | "similarity" | "matchedQuestion" | "decidedBy">
        | undefined;
      if (!recall) throw new Error("no response_metadata.recall on the answer");
      return {
        text: message.text,
        status: recall.status,
        similarity: recall.similarity,
        matchedQuestion: recall.matchedQuestion,
        decidedBy: recall.decidedBy,
        inputTokens: message.usage_metadata?.input_tokens,
        outputTokens: message.usage_metadata?.output_tokens,
      };
    },
    close: async () => {},
  };
};
