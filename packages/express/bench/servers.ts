/**
 * The benchmark's servers, run in a child process so autocannon (in the parent) and the servers each
 * get a core: the mock upstream, the caching proxy on /v1, and a bare Express route that returns the
 * same completion JSON. Prints `{"proxy": port, "bare": port}` on stdout once listening.
 */
import type { AddressInfo } from "node:net";
import { createCache } from "@recall/core";
import { startMockOpenAI } from "@recall/mock-openai";
import express from "express";
import { openAIProxy, statsHandler } from "../src/index.js";

const mock = await startMockOpenAI({ maxRecorded: 100 });
const cache = createCache({ maxEntries: 1_000_000 });

const proxyApp = express();
proxyApp.set("x-powered-by", false);
proxyApp.use("/v1", openAIProxy({ cache, upstream: mock.url, apiKey: "sk-bench" }));
proxyApp.get("/stats", statsHandler(cache));

/** The bare route: the same body parsing, then the same completion JSON (set by the parent). */
let answer: unknown = {};
const bareApp = express();
bareApp.set("x-powered-by", false);
bareApp.post("/v1/chat/completions", express.json({ limit: "4mb" }), (_req, res) => {
  res.json(answer);
});
bareApp.put("/answer", express.json({ limit: "4mb" }), (req, res) => {
  answer = req.body;
  res.status(204).end();
});

const listen = (app: express.Express) =>
  new Promise<number>((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    server.keepAliveTimeout = 60_000;
  });
const ports = { proxy: await listen(proxyApp), bare: await listen(bareApp) };
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.on("disconnect", () => process.exit(0));
// The parent asks for this process's CPU time around each run, to price a request in CPU microseconds.
process.on("message", (message) => {
  if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
});
