import { setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendChatCompletion, streamChatCompletion } from "./chat-endpoint";
import { sendEmbeddings, sendModels } from "./embeddings-endpoint";
import { generate, Pacer, resolveLatency } from "./generation";
import { openaiError, readBody, sendJson, sleep } from "./http-util";
import { chatMessages, responsesMessages } from "./request-view";
import { sendResponse, streamResponse } from "./responses-endpoint";
import type {
  AnswerRequest,
  MockEndpoint,
  MockOpenAIOptions,
  MockOpenAIServer,
  RecordedRequest,
} from "./types";

interface PendingFailure {
  status: number;
  body?: string | object;
}

const ROUTES: Record<string, MockEndpoint> = {
  "POST /chat/completions": "chat",
  "POST /responses": "responses",
  "POST /embeddings": "embeddings",
  "GET /models": "models",
};

/**
 * Starts a local OpenAI-compatible server on 127.0.0.1 (chat completions, Responses API,
 * embeddings, models), good enough for the official `openai`, `@ai-sdk/openai` and
 * `@langchain/openai` clients. Point a client's base URL at `server.url`.
 *
 * @example
 * const server = await startMockOpenAI();
 * const client = new OpenAI({ baseURL: server.url, apiKey: "test" });
 * // … then: await server.close();
 */
export async function startMockOpenAI(options: MockOpenAIOptions = {}): Promise<MockOpenAIServer> {
  const requests: RecordedRequest[] = [];
  const counts = new Map<MockEndpoint, number>();
  const maxRecorded = options.maxRecorded ?? 10_000;
  const failures: PendingFailure[] = [];
  const cuts: number[] = [];
  const closing = new AbortController();
  // Every request in flight waits on this one signal (and removes its listener when done): many
  // concurrent requests are expected, not a leak.
  setMaxListeners(0, closing.signal);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on("error", () => {}); // a client that hangs up mid-stream is not our error
    const path = (req.url ?? "/")
      .split("?")[0]!
      .replace(/^\/v1(?=\/)/, "")
      .replace(/\/+$/, "");
    const modelMatch = req.method === "GET" ? /^\/models\/(.+)$/.exec(path) : null;
    const endpoint = modelMatch ? "models" : ROUTES[`${req.method} ${path}`];
    if (!endpoint) {
      await readBody(req).catch(() => "");
      sendJson(res, 404, openaiError(404, `Invalid URL (${req.method} ${req.url})`));
      return;
    }

    const raw = req.method === "POST" ? await readBody(req) : "";
    let body: any = null;
    let parseError = false;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        parseError = true;
      }
    }
    const record: RecordedRequest = {
      endpoint,
      model: typeof body?.model === "string" ? body.model : (modelMatch?.[1] ?? ""),
      body,
      headers: req.headers,
      stream: body?.stream === true,
      status: 0,
    };
    requests.push(record);
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
    counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
    const fail = (status: number, errorBody: unknown) => {
      record.status = status;
      sendJson(res, status, errorBody);
    };

    if (options.apiKey !== undefined) {
      const auth = req.headers.authorization;
      if (!auth) {
        return fail(
          401,
          openaiError(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            null,
          ),
        );
      }
      if (auth !== `Bearer ${options.apiKey}`) {
        return fail(401, openaiError(401, "Incorrect API key provided.", "invalid_api_key"));
      }
    }

    const failure = failures.shift();
    if (failure) {
      const b = failure.body;
      return fail(failure.status, typeof b === "object" && b !== null ? b : openaiError(failure.status, b));
    }

    if (endpoint === "models") {
      record.status = 200;
      return sendModels(res, modelMatch?.[1] ? decodeURIComponent(modelMatch[1]) : undefined);
    }
    if (parseError || !body || typeof body !== "object") {
      return fail(400, openaiError(400, "We could not parse the JSON body of your request."));
    }
    if (!record.model) {
      return fail(400, openaiError(400, "you must provide a model parameter", null, "model"));
    }

    if (endpoint === "embeddings") {
      await sleep(options.embedLatencyMs ?? 0, closing.signal);
      record.status = 200;
      return sendEmbeddings(res, record.model, body, options);
    }

    if (endpoint === "chat" && (!Array.isArray(body.messages) || body.messages.length === 0)) {
      return fail(400, openaiError(400, "'messages' must be a non-empty array.", null, "messages"));
    }
    if (endpoint === "responses" && body.input === undefined) {
      return fail(400, openaiError(400, "Missing required parameter: 'input'.", null, "input"));
    }
    const answerReq: AnswerRequest = {
      model: record.model,
      messages: endpoint === "chat" ? chatMessages(body) : responsesMessages(body),
      body,
      endpoint,
    };
    let generation: Awaited<ReturnType<typeof generate>>;
    let latency: number;
    try {
      latency = resolveLatency(options, answerReq);
      generation = await generate(options, answerReq);
    } catch (err) {
      return fail(500, openaiError(500, `Mock answer failed: ${(err as Error)?.message ?? err}`));
    }
    record.status = 200;
    const tps = options.tokensPerSecond;
    const pacer = record.stream ? new Pacer(tps, closing.signal, cuts.shift()) : undefined;
    if (endpoint === "chat") {
      if (pacer) {
        const includeUsage = body.stream_options?.include_usage === true;
        return streamChatCompletion(res, record.model, generation, includeUsage, latency, pacer);
      }
      return sendChatCompletion(res, record.model, generation, latency, tps, closing.signal);
    }
    if (pacer) return streamResponse(res, record.model, body, generation, latency, pacer);
    return sendResponse(res, record.model, body, generation, latency, tps, closing.signal);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, openaiError(500, String(err?.message ?? err)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    count(endpoint?: MockEndpoint) {
      if (endpoint) return counts.get(endpoint) ?? 0;
      let total = 0;
      for (const n of counts.values()) total += n;
      return total;
    },
    reset() {
      requests.length = 0;
      counts.clear();
      failures.length = 0;
      cuts.length = 0;
    },
    failNext(status: number, body?: string | object, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ status, body });
    },
    cutNextStream(afterPieces = 3) {
      cuts.push(Math.max(0, Math.floor(afterPieces)));
    },
    close() {
      closing.abort();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
