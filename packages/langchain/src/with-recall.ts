import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage, convertToChunk } from "@langchain/core/messages";
import { type ChatGeneration, ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { type Runnable, RunnableBinding, type RunnableConfig } from "@langchain/core/runnables";
import {
  type CacheOutcome,
  type CallOptions,
  errorCodes,
  type Lookup,
  type RecallCache,
  RecallError,
} from "@recall/core";
import { parseCallOptions, passThrough, settleStream, summarize } from "@recall/core/adapter";
import {
  describeGenerations,
  isStoredGenerations,
  reviveGenerations,
  type StoredGenerations,
  storeGenerations,
} from "./generations.js";
import { type RecallLangChainOptions, readOptions } from "./options.js";
import { replayChunks, StreamRecorder } from "./replay.js";
import { requestFromMessages } from "./request.js";
import { type HitUsage, markGenerations, type RecallMetadata, setHitUsage } from "./status.js";

/** Call options of a wrapped model: the model's own, plus Recall's per-call options. */
export type RecallChatModelCallOptions = BaseChatModelCallOptions & {
  /** Per-call cache controls (namespace, ttl, noCache, forceRefresh, semantic, threshold, verify, tags…). */
  recall?: CallOptions;
};

/** `{ cache, hitUsage?, ...callOptions }`: call options set here are the defaults of every call. */
export type WithRecallOptions = RecallLangChainOptions;

type ChatModel = BaseChatModel<any, any>;

/**
 * A chat model whose `invoke`, `batch` and `stream` (and `streamEvents`, chains, agents) all go
 * through Recall. A cached answer is replayed as a stream of chunks; a fresh stream passes through
 * as it arrives and is stored once it ends cleanly.
 *
 * Build it with `withRecall(model, { cache })`.
 */
export class RecallChatModel extends BaseChatModel<RecallChatModelCallOptions, AIMessageChunk> {
  /** The model that answers misses. */
  readonly model: ChatModel;
  readonly recall: RecallCache;
  private readonly options: WithRecallOptions;
  private readonly defaults: CallOptions;
  private readonly hitUsage: HitUsage;

  static override lc_name() {
    return "RecallChatModel";
  }

  constructor(model: ChatModel, options: WithRecallOptions) {
    super({});
    const read = readOptions(options, "withRecall options");
    this.model = model;
    this.recall = read.cache;
    this.options = options;
    this.defaults = read.defaults;
    this.hitUsage = read.hitUsage;
    // The wrapped model's output format and streaming switch apply to what the wrapper returns.
    this.outputVersion = model.outputVersion;
    this.disableStreaming = model.disableStreaming;
  }

  _llmType(): string {
    return "recall";
  }

  override invocationParams(options?: this["ParsedCallOptions"]): any {
    return this.model.invocationParams(withoutRecall(options ?? {}));
  }

  override _identifyingParams(): Record<string, any> {
    return this.model._identifyingParams();
  }

  override getLsParams(options: this["ParsedCallOptions"]) {
    return this.model.getLsParams(withoutRecall(options));
  }

  /** `configurable.recall` works too, so chains can pass cache controls down to the model. */
  protected override _separateRunnableConfigFromCallOptionsCompat(
    options?: Partial<RecallChatModelCallOptions>,
  ): [RunnableConfig, this["ParsedCallOptions"]] {
    const [config, callOptions] = super._separateRunnableConfigFromCallOptionsCompat(options);
    const fromConfig = config.configurable?.recall as CallOptions | undefined;
    if (fromConfig && !callOptions.recall) callOptions.recall = fromConfig;
    return [config, callOptions];
  }

  /** Binds tools on the wrapped model and keeps the result cached. */
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<RecallChatModelCallOptions>,
  ): Runnable<any, AIMessageChunk, RecallChatModelCallOptions> {
    if (typeof this.model.bindTools !== "function") {
      throw new RecallError(
        errorCodes.INVALID_OPTION,
        `${this.model.getName()} does not support tools (no bindTools)`,
      );
    }
    return rewrap(this.model.bindTools(tools, kwargs), this.options);
  }

  /**
   * The wrapped model's own structured output (JSON schema, JSON mode or tool calling, as it
   * supports), with the model it configures for that kept cached.
   */
  override withStructuredOutput(schema: any, config?: any): any {
    const model = this.model;
    const options = this.options;
    // The model's implementation runs with `this` = the model, except that what it configures
    // through withConfig/bindTools comes back wrapped.
    const view = Object.create(model, {
      withConfig: { value: (bound: Record<string, unknown>) => rewrap(model.withConfig(bound), options) },
      bindTools: {
        value: (tools: BindToolsInput[], kwargs?: Partial<RecallChatModelCallOptions>) =>
          this.bindTools(tools, kwargs),
      },
    });
    return model.withStructuredOutput.call(view, schema, config);
  }

  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const [modelOptions, found] = await this.open(messages, options);
    if (found.hit) {
      // A stale answer (stale-while-revalidate): the engine refreshes it in the background.
      void found.outcome.refresh?.(() => this.fresh(messages, modelOptions));
      return this.served(found.outcome, runManager);
    }
    let result: ChatResult;
    try {
      result = await this.model._generate(messages, modelOptions, runManager);
    } catch (error) {
      // Within grace, the stale entry answers instead of the error.
      const stale = found.rescue(error);
      if (stale && isStoredGenerations(stale.response.body)) return this.served(stale, runManager);
      throw error;
    }
    const { generations, llmOutput } = result;
    const outcome = await found.commit(() =>
      describeGenerations(
        storeGenerations(generations, llmOutput && Object.keys(llmOutput).length > 0 ? { llmOutput } : {}),
      ),
    );
    markGenerations(generations, summarize(outcome));
    return result;
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const [modelOptions, found] = await this.open(messages, options);
    if (found.hit) {
      void found.outcome.refresh?.(() => this.fresh(messages, modelOptions));
      yield* this.replayed(found.outcome, runManager);
      return;
    }
    // Stored only when the stream ends cleanly. An abort frees waiting callers the moment it fires
    // (LangChain may stop reading an aborted stream without ever closing this generator).
    const settler = settleStream(found, options.signal);
    const recorder = new StreamRecorder();
    let meta: RecallMetadata;
    let started = false;
    try {
      try {
        for await (const chunk of this.upstream(messages, modelOptions, runManager)) {
          started = true;
          recorder.add(chunk);
          yield chunk;
        }
      } catch (error) {
        // Within grace, a stream that failed before its first chunk is replayed from the stale entry.
        const stale = started ? undefined : found.rescue(error);
        if (!stale || !isStoredGenerations(stale.response.body)) throw error;
        yield* this.replayed(stale, runManager);
        return;
      }
      meta = await settler.end(() => {
        const { generations, pieces } = recorder.result();
        return describeGenerations(storeGenerations(generations, { pieces }));
      });
    } finally {
      // An error, or a reader that stopped: nothing is stored (after `end` this does nothing).
      settler.abandon();
    }
    // One empty chunk carries the status, so the chunks still add up to the model's message.
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({ content: "", response_metadata: { recall: meta } }),
    });
  }

  /** A cached (or stale) answer for this caller: fresh generations, marked with the outcome. */
  private async served(
    outcome: CacheOutcome<StoredGenerations>,
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const body = outcome.response.body;
    const generations = reviveGenerations(body) as ChatGeneration[];
    markGenerations(generations, summarize(outcome));
    setHitUsage(generations, this.hitUsage);
    if (generations[0]) await runManager?.handleLLMNewToken(generations[0].text);
    return body.llmOutput ? { generations, llmOutput: structuredClone(body.llmOutput) } : { generations };
  }

  /** A cached (or stale) answer replayed as chunks, the last one carrying the status. */
  private async *replayed(
    outcome: CacheOutcome<StoredGenerations>,
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    for (const chunk of replayChunks(outcome.response.body, summarize(outcome), this.hitUsage)) {
      yield chunk;
      await runManager?.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, {
        chunk,
      });
    }
  }

  /**
   * The background refresh of a stale entry: the wrapped model's plain answer (no callbacks: the
   * caller already has its answer), stored as `_generate`'s misses are.
   */
  private async fresh(messages: BaseMessage[], options: this["ParsedCallOptions"]) {
    const { generations, llmOutput } = await this.model._generate(messages, options);
    return describeGenerations(
      storeGenerations(generations, llmOutput && Object.keys(llmOutput).length > 0 ? { llmOutput } : {}),
    );
  }

  /** The wrapped model's stream, or its one answer as a single chunk when it does not stream. */
  private async *upstream(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const model = this.model;
    if (
      model._streamResponseChunks !== BaseChatModel.prototype._streamResponseChunks &&
      !model.disableStreaming
    ) {
      yield* model._streamResponseChunks(messages, options, runManager);
      return;
    }
    const result = await model._generate(messages, options, runManager);
    for (const generation of result.generations.slice(0, 1)) {
      const message = convertToChunk(generation.message) as AIMessageChunk;
      yield new ChatGenerationChunk({
        text: generation.text,
        message,
        ...(generation.generationInfo ? { generationInfo: generation.generationInfo } : {}),
      });
      await runManager?.handleLLMNewToken(generation.text);
    }
  }

  /**
   * The call options the model gets and the lookup: a hit holding a LangChain answer, or a ticket
   * to settle (a pass-through one, saying why, for a call that cannot be cached).
   */
  private async open(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
  ): Promise<[modelOptions: this["ParsedCallOptions"], found: Lookup<StoredGenerations>]> {
    const { recall: perCall, ...callOptions } = options;
    const modelOptions = withModelDefaults(this.model, callOptions) as this["ParsedCallOptions"];
    const call = parseCallOptions(perCall, { where: "recall", defaults: this.defaults }).call;
    const built = requestFromMessages(this.model, messages, modelOptions);
    if (!built.cacheable) {
      if (built.error) this.recall.reportError(built.reason, built.error, { namespace: call.namespace });
      return [modelOptions, passThrough(call.namespace, built.reason)];
    }
    const found = await this.recall.lookup<StoredGenerations>(built.request, call);
    if (found.hit && !isStoredGenerations(found.outcome.response.body)) {
      const reason = "the cached entry is not a LangChain answer";
      return [modelOptions, passThrough(found.outcome.namespace, reason)];
    }
    return [modelOptions, found];
  }
}

/**
 * Wraps a chat model (or a model with bound tools or options) so that `invoke`, `batch` and
 * `stream` all go through Recall. Options set here are the defaults of every call; a call's own go
 * in its `recall` option (or `configurable.recall` through a chain). Faults are the cache's `error`
 * events; what Recall did is on every answer as `response_metadata.recall`.
 *
 * @example
 * const model = withRecall(new ChatOpenAI({ model: "gpt-4o-mini" }), { cache: createCache() });
 * for await (const chunk of await model.stream("What is the capital of France?")) process.stdout.write(chunk.text);
 * const again = await model.invoke("What is the capital of France?"); // response_metadata.recall.status: "hit"
 * await model.invoke("Hello", { recall: { namespace: "tenant-42", ttl: 60_000 } }); // per-call options
 */
export function withRecall(model: ChatModel, options: WithRecallOptions): RecallChatModel;
export function withRecall(
  model: Runnable,
  options: WithRecallOptions,
): Runnable<any, AIMessageChunk, RecallChatModelCallOptions>;
export function withRecall(
  model: Runnable | ChatModel,
  options: WithRecallOptions,
): Runnable<any, AIMessageChunk, RecallChatModelCallOptions> {
  if (isChatModel(model)) return new RecallChatModel(model, options);
  return rewrap(model, options);
}

/** A binding over a chat model (what `bindTools` and `withConfig` return), rebuilt over the cached model. */
function rewrap(
  runnable: Runnable,
  options: WithRecallOptions,
): Runnable<any, AIMessageChunk, RecallChatModelCallOptions> {
  // ChatOpenAI's bindTools and withConfig return a new ChatOpenAI holding the options.
  if (isChatModel(runnable)) return new RecallChatModel(runnable, options);
  if (RunnableBinding.isRunnableBinding(runnable)) {
    const inner = isChatModel(runnable.bound)
      ? new RecallChatModel(runnable.bound, options)
      : rewrap(runnable.bound, options);
    return new RunnableBinding({
      bound: inner,
      config: runnable.config,
      kwargs: runnable.kwargs ?? {},
      ...(runnable.configFactories ? { configFactories: runnable.configFactories } : {}),
    }) as Runnable<any, AIMessageChunk, RecallChatModelCallOptions>;
  }
  throw new RecallError(
    errorCodes.INVALID_OPTION,
    `withRecall needs a chat model (or one with bound tools), got ${runnable?.getName?.() ?? typeof runnable}`,
  );
}

function isChatModel(value: unknown): value is ChatModel {
  const m = value as ChatModel | undefined;
  return (
    typeof m?._generate === "function" &&
    typeof m._getSerializedCacheKeyParametersForCall === "function" &&
    m._modelType?.() === "base_chat_model"
  );
}

function withoutRecall<T extends Record<string, unknown>>(options: T): T {
  const { recall: _recall, ...rest } = options;
  return rest as T;
}

/**
 * The call options the model will really use. Some models keep bound options on themselves
 * (ChatOpenAI's `bindTools`/`withConfig` return a model with `defaultOptions`) and merge them only
 * in their own `invoke`/`stream`, not in `_generate`: both the key and the call need them, or a
 * model with tools would be called without them and share entries with the same model without.
 */
function withModelDefaults(model: ChatModel, options: Record<string, unknown>): Record<string, unknown> {
  const m = model as ChatModel & {
    _combineCallOptions?: (o: Record<string, unknown>) => Record<string, unknown>;
    defaultOptions?: Record<string, unknown>;
  };
  if (typeof m._combineCallOptions === "function") return m._combineCallOptions(options);
  if (typeof m.defaultOptions === "object" && m.defaultOptions !== null)
    return { ...m.defaultOptions, ...options };
  return options;
}
