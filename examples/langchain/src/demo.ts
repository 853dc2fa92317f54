/**
 * The walkthrough: the same questions through the two ways Recall plugs into LangChain.js, against
 * a local mock of OpenAI (so it runs offline), with the real local embedder for paraphrases.
 */
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { ChatOpenAI } from "@langchain/openai";
import { createCache, type Embedder } from "@recall/core";
import { RecallLangChainCache, type RecallMetadata, withRecall } from "@recall/langchain";
import { startMockOpenAI } from "@recall/mock-openai";
import Keyv from "keyv";

/** Any key works with the mock; the demo checks it never reaches the cache store. */
const API_KEY = "sk-demo-0123456789abcdef-NEVER-STORED";

export interface DemoOptions {
  /** Turns on matching by meaning. Without it, only exact repeats are hits. */
  embedder?: Embedder;
  /** How long a lookup waits for its vector (`semantic.budgetMs`); the cache's default when omitted. */
  budgetMs?: number;
  /** Where the walkthrough prints. Default: console.log. */
  log?: (line: string) => void;
  /** Streamed text as it arrives. Default: process.stdout. */
  write?: (text: string) => void;
  /** The mock's time to first token, ms. Default 400. */
  latencyMs?: number;
}

export interface DemoRow {
  way: string;
  question: string;
  status: string;
  ms: number;
  upstream: number;
}

export interface DemoSummary {
  rows: DemoRow[];
  upstreamRequests: number;
  savedTokens: number;
  savedUsd: number;
  apiKeyStored: boolean;
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = options.log ?? console.log;
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const server = await startMockOpenAI({
    apiKey: API_KEY,
    latencyMs: options.latencyMs ?? 400,
    tokensPerSecond: 150,
  });
  const storeMap = new Map<string, unknown>();
  const recall = createCache({
    store: new Keyv({ store: storeMap }),
    ...(options.embedder
      ? {
          semantic: {
            embedder: options.embedder,
            ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
          },
        }
      : {}),
  });
  const rows: DemoRow[] = [];
  const openai = (fields: ConstructorParameters<typeof ChatOpenAI>[0] = {}) =>
    new ChatOpenAI({
      model: "gpt-4o-mini",
      apiKey: API_KEY,
      configuration: { baseURL: server.url },
      ...fields,
    });
  const record = (way: string, question: string, meta: RecallMetadata | undefined, started: number) => {
    const row = {
      way,
      question,
      status: describe(meta),
      ms: Math.round(performance.now() - started),
      upstream: server.count("chat"),
    };
    rows.push(row);
    return row;
  };

  try {
    log("1. RecallLangChainCache: pass it as `cache` to any chat model (invoke and batch)\n");
    const model = openai({ cache: new RecallLangChainCache({ cache: recall }) });
    for (const question of [
      "What is the capital of France?",
      "What is the capital of France?",
      "What is France's capital?",
      "What is the capital of Germany?",
    ]) {
      const started = performance.now();
      const answer = await model.invoke([
        new SystemMessage("You answer geography questions."),
        new HumanMessage(question),
      ]);
      const row = record("cache", question, answer.response_metadata.recall as RecallMetadata, started);
      log(`   ${pad(row.status, 26)} ${pad(`${row.ms} ms`, 8)} ${question}`);
    }

    log("\n   …and inside a chain (prompt | model | parser):");
    const chain = ChatPromptTemplate.fromMessages([
      ["system", "You answer geography questions."],
      ["human", "{question}"],
    ])
      .pipe(model)
      .pipe(new StringOutputParser());
    const before = server.count("chat");
    const started = performance.now();
    const text = await chain.invoke({ question: "What's the capital of France?" });
    log(
      `   ${server.count("chat") === before ? "no upstream request" : "upstream request"}, ${Math.round(performance.now() - started)} ms: ${text.slice(0, 60)}…`,
    );

    log("\n2. withRecall: wraps the model so .stream() is cached too (a hit replays as chunks)\n");
    const streaming = withRecall(openai(), { cache: recall });
    for (const question of ["How do I reset my password?", "How can I reset my password?"]) {
      const started = performance.now();
      let firstChunkMs: number | undefined;
      let meta: RecallMetadata | undefined;
      write(`   ${question}\n   > `);
      for await (const chunk of await streaming.stream(question)) {
        firstChunkMs ??= Math.round(performance.now() - started);
        if (typeof chunk.content === "string") write(chunk.content);
        meta = (chunk.response_metadata.recall as RecallMetadata | undefined) ?? meta;
      }
      const row = record("withRecall stream", question, meta, started);
      write("\n");
      log(`   ${row.status}: first chunk after ${firstChunkMs} ms, whole answer after ${row.ms} ms\n`);
    }

    const stats = recall.stats.snapshot();
    const ns = stats.namespaces.default;
    const savedTokens = (ns?.saved.inputTokens ?? 0) + (ns?.saved.outputTokens ?? 0);
    const savedUsd = ns?.saved.usd ?? 0;
    const apiKeyStored = [...storeMap].some(([key, value]) =>
      `${key}${JSON.stringify(value)}`.includes(API_KEY),
    );

    log("3. Summary\n");
    log(
      table(
        ["way", "question", "status", "ms", "upstream so far"],
        rows.map((r) => [r.way, r.question, r.status, String(r.ms), String(r.upstream)]),
      ),
    );
    log("");
    log(`   upstream requests: ${server.count("chat")} for ${rows.length + 1} questions`);
    log(
      `   hits: ${ns?.hits ?? 0} exact, ${ns?.semanticHits ?? 0} by meaning; saved ${savedTokens} tokens ($${savedUsd.toFixed(6)} at gpt-4o-mini prices)`,
    );
    log(
      `   API key in the cache store: ${apiKeyStored ? "YES (bug!)" : "no"} (${storeMap.size} entries checked)`,
    );
    return { rows, upstreamRequests: server.count("chat"), savedTokens, savedUsd, apiKeyStored };
  } finally {
    await recall.close();
    await server.close();
  }
}

function describe(meta: RecallMetadata | undefined): string {
  if (!meta) return "uncached";
  if (meta.status === "semantic-hit") return `semantic-hit (${meta.similarity?.toFixed(3)})`;
  return meta.status;
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `   | ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), `   |${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}
