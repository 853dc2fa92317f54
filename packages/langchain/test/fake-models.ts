import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import Keyv from "keyv";

/**
 * LangChain's FakeListChatModel (answers from a list, in turn), plus what a real provider reports:
 * usage metadata, a model name and finish reason, and a final usage chunk when streaming. Counts
 * its upstream calls in a counter shared with the models `bindTools` derives from it.
 */
export class CountingChatModel extends FakeListChatModel {
  counter: { generate: number; stream: number; failNext: number };
  apiKey?: string;

  constructor(fields: {
    responses: string[];
    sleep?: number;
    apiKey?: string;
    counter?: CountingChatModel["counter"];
  }) {
    super({ responses: fields.responses, ...(fields.sleep !== undefined ? { sleep: fields.sleep } : {}) });
    this.counter = fields.counter ?? { generate: 0, stream: 0, failNext: 0 };
    if (fields.apiKey) this.apiKey = fields.apiKey;
  }

  get calls(): number {
    return this.counter.generate + this.counter.stream;
  }

  override _identifyingParams(): Record<string, unknown> {
    return { model: "fake-model", ...(this.apiKey ? { apiKey: this.apiKey } : {}) };
  }

  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    this.counter.generate++;
    this.maybeFail();
    const result = await super._generate(messages, options, runManager);
    const text = result.generations[0]!.text;
    result.generations[0]!.message = new AIMessage({
      content: text,
      response_metadata: { model_name: "fake-model", finish_reason: "stop" },
      usage_metadata: usageOf(messages, text),
    });
    return result;
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    this.counter.stream++;
    this.maybeFail();
    let text = "";
    for await (const chunk of super._streamResponseChunks(messages, options, runManager)) {
      text += chunk.text;
      yield chunk;
    }
    if (options.signal?.aborted) return;
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        content: "",
        response_metadata: { model_name: "fake-model", finish_reason: "stop" },
        usage_metadata: usageOf(messages, text),
      }),
    });
  }

  override bindTools(tools: Parameters<FakeListChatModel["bindTools"]>[0]) {
    const bound = super.bindTools(tools) as ReturnType<FakeListChatModel["bindTools"]> & {
      bound: FakeListChatModel;
    };
    const next = new CountingChatModel({
      responses: this.responses,
      counter: this.counter,
      ...(this.sleep !== undefined ? { sleep: this.sleep } : {}),
    });
    (next as unknown as { tools: unknown }).tools = (bound.bound as unknown as { tools: unknown }).tools;
    return next.withConfig((bound as unknown as { config: object }).config);
  }

  private maybeFail(): void {
    if (this.counter.failNext > 0) {
      this.counter.failNext--;
      throw new Error("upstream failed");
    }
  }
}

function usageOf(messages: BaseMessage[], text: string) {
  const input = messages.map((m) => String(m.content)).join(" ").length;
  return { input_tokens: input, output_tokens: text.length, total_tokens: input + text.length };
}

/** A Keyv store whose every key and value a test can read. */
export function inspectableStore(): { store: Keyv; map: Map<string, unknown>; dump(): string } {
  const map = new Map<string, unknown>();
  const store = new Keyv({ store: map });
  return {
    store,
    map,
    dump: () => [...map].map(([k, v]) => `${k}\n${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n"),
  };
}

/** A Keyv store that fails every operation. */
export function brokenStore(): Keyv {
  const fail = async () => {
    throw new Error("store down");
  };
  return new Keyv({ store: { get: fail, set: fail, delete: fail, clear: fail, has: fail } as never });
}
