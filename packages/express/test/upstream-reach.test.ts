import { createCache, type RecallCache } from "@recall/core";
import express from "express";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenAIProxyOptions, openAIProxy } from "../src/index.js";
import { listen, type RecordedHit, rawRequest, recordingUpstream } from "./helpers.js";
import { anyPath } from "./paths.js";

/**
 * What reaches the upstream. Only the pass-through routes (by default: reading models) are
 * forwarded, and a forwarded path never leaves the upstream's base path, however it is spelled.
 * Requests go out with raw `node:http`, so nothing normalizes the path on the way in; the upstream
 * is a bare server that records the raw path it receives.
 */

let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
let cache: RecallCache;
const servers: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  upstream = await recordingUpstream();
  cache = createCache();
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await cache.close();
  await upstream.close();
});

async function proxyAt(options: Partial<OpenAIProxyOptions> = {}): Promise<string> {
  const app = express();
  app.use(
    "/v1",
    openAIProxy({ cache, upstream: upstream.url, apiKey: "sk-server", onError: () => {}, ...options }),
  );
  const server = await listen(app);
  servers.push(server);
  return server.url;
}

/** The hits a request caused upstream. */
async function sent(origin: string, method: string, path: string) {
  const before = upstream.hits.length;
  const response = await rawRequest(origin, method, path);
  return { response, hits: upstream.hits.slice(before) as RecordedHit[] };
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
const ROUTES = [
  "/models",
  "/models/gpt-4o-mini",
  "/models/ft:gpt-4o:acme:1",
  "/models/a/b",
  "/files",
  "/files/file-abc",
  "/files/file-abc/content",
  "/fine_tuning/jobs",
  "/batches",
  "/responses",
  "/organization/admin_api_keys",
  "/chat/completions",
  "/",
];

describe("pass-through: only read-only model routes by default", () => {
  let origin: string;
  beforeAll(async () => {
    origin = await proxyAt();
  });

  it("DELETE /v1/files/x and POST /v1/fine_tuning/jobs are a 404 naming the route, never forwarded", async () => {
    for (const [method, path] of [
      ["DELETE", "/v1/files/file-abc"],
      ["POST", "/v1/fine_tuning/jobs"],
    ] as const) {
      const { response, hits } = await sent(origin, method, path);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toEqual({
        error: {
          message: `The route ${method} ${path} is not served by this proxy.`,
          type: "invalid_request_error",
          param: null,
          code: "route_not_served",
        },
      });
      expect(hits).toEqual([]);
    }
  });

  it("property: a method and route reach the upstream exactly when they are GET/HEAD /models[/:id]", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        fc.constantFrom(...ROUTES),
        fc.boolean(),
        async (method, route, query) => {
          const path = `/v1${route}${query ? "?limit=2" : ""}`;
          const { response, hits } = await sent(origin, method, path);
          const parts = route.split("/").filter(Boolean);
          const readsModels =
            (method === "GET" || method === "HEAD") && parts[0] === "models" && parts.length <= 2;
          if (readsModels) {
            expect(response.status).toBe(200);
            expect(hits).toHaveLength(1);
            expect(hits[0]!.url).toBe(`/base/v1${route}${query ? "?limit=2" : ""}`);
            expect(hits[0]!.headers.authorization).toBe("Bearer sk-server");
          } else {
            // POST /chat/completions is the cached route (here a 400: no body), never a pass-through.
            expect(response.status).toBe(method === "POST" && route === "/chat/completions" ? 400 : 404);
            expect(hits).toEqual([]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("passThrough: false serves no other route; a list widens it", async () => {
    const none = await proxyAt({ passThrough: false });
    expect((await sent(none, "GET", "/v1/models")).response.status).toBe(404);
    const wider = await proxyAt({
      passThrough: ["/models", "POST /responses", { method: "DELETE", path: "/files/:id" }],
    });
    expect((await sent(wider, "POST", "/v1/responses")).hits).toHaveLength(1);
    expect((await sent(wider, "DELETE", "/v1/files/file-1")).hits).toHaveLength(1);
    expect((await sent(wider, "POST", "/v1/fine_tuning/jobs")).response.status).toBe(404);
  });

  it("refuses a bad passThrough at creation", () => {
    for (const passThrough of ["all", ["files"], [{ method: "GET" }], [/x/g], null]) {
      expect(() => openAIProxy({ cache, upstream: upstream.url, passThrough: passThrough as never })).toThrow(
        expect.objectContaining({
          code: "RECALL_INVALID_OPTION",
          message: expect.stringMatching(/passThrough/),
        }),
      );
    }
  });
});

describe("paths never leave the upstream's base path", () => {
  let origin: string;
  beforeAll(async () => {
    // Everything forwarded: only the path checks stand between a request and the upstream.
    origin = await proxyAt({ passThrough: true });
  });

  /** The upstream saw only paths under its base, with nothing left to resolve. */
  function expectUnderBase(hits: RecordedHit[]): void {
    for (const hit of hits) {
      const path = hit.url.split("?")[0]!;
      expect(path === "/base/v1" || path.startsWith("/base/v1/")).toBe(true);
      expect(new URL(path, "http://x").pathname).toBe(path);
      for (const segment of path.split("/")) {
        expect(decodeURIComponent(segment).startsWith(".")).toBe(false);
        expect(decodeURIComponent(segment)).not.toMatch(/[/\\]/);
      }
    }
  }

  const attacks = [
    "/v1/../../admin/keys",
    "/v1/../admin",
    "/v1/models/../../../admin",
    "/v1/%2e%2e/%2e%2e/admin",
    "/v1/%2E%2E/admin",
    "/v1/.%2e/admin",
    "/v1/%2e./admin",
    "/v1/%252e%252e/%252e%252e/admin",
    "/v1/models%2f..%2f..%2fadmin",
    "/v1/models%2F%2E%2E%2F%2E%2E%2Fadmin",
    "/v1/..%5c..%5cadmin",
    "/v1/..\\..\\admin",
    "/v1//evil.example/admin",
    "/v1/models/%00",
    "/v1/models/%c0%ae%c0%ae/admin",
    "/v1/models#/../../admin",
  ];
  it.each(attacks)("GET %s is a 400 and never forwarded", async (path) => {
    const { response, hits } = await sent(origin, "GET", path);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatchObject({
      code: "invalid_path",
      type: "invalid_request_error",
    });
    expect(hits).toEqual([]);
  });

  it("property: over generated paths the upstream never sees a path outside its base", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("GET", "DELETE", "POST"), anyPath, async (method, path) => {
        const { response, hits } = await sent(origin, method, `/v1${path}`);
        expectUnderBase(hits);
        if (hits.length === 0) expect(response.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 400 },
    );
    // The property did exercise forwarding, not only refusals.
    expect(upstream.hits.length).toBeGreaterThan(20);
  });
});
