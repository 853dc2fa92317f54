import { type CacheOptions, createCache } from "@recall/core";
import { mulberry32 } from "@recall/core/testing";
import express from "express";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { type OpenAIProxyOptions, routeCache } from "../src/index.js";
import { chat, type ProxyFixture, proxyFixture } from "./helpers.js";

let fx: ProxyFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const TAGLINE = "Write a tagline for a coffee shop";
const post = (app: ProxyFixture["app"], body: unknown, headers: Record<string, string> = {}) =>
  request(app)
    .post("/v1/chat/completions")
    .set("Authorization", "Bearer sk-client")
    .set(headers)
    .send(body as object);

/** The mock upstream answers each call with a new version, so each variant is told apart. */
async function fixture(cache: CacheOptions = {}, proxy: Partial<OpenAIProxyOptions> = {}) {
  let version = 0;
  fx = await proxyFixture({
    mock: { answer: () => `Tagline, version ${++version}.` },
    cache: { random: mulberry32(23), ...cache },
    proxy,
  });
  return fx;
}

const contentOf = (r: request.Response) => r.body.choices[0].message.content as string;
/** The text a replayed stream adds up to. */
function streamedText(r: request.Response): string {
  let text = "";
  for (const line of r.text.split("\n")) {
    if (!line.startsWith("data: ") || line.includes("[DONE]")) continue;
    const chunk = JSON.parse(line.slice(6)) as { choices: { delta?: { content?: string } }[] };
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  return text;
}

describe("openAIProxy: answer variants", () => {
  it("plain: the first N requests go upstream and are kept, then HITs serve every variant (X-Recall-Variant)", async () => {
    const fx = await fixture({ variants: 3 });
    for (let i = 1; i <= 3; i++) {
      const miss = await post(fx.app, chat(TAGLINE));
      expect(miss.headers["x-recall-cache"]).toBe("MISS");
      expect(contentOf(miss)).toBe(`Tagline, version ${i}.`);
    }
    const seen = new Set<string>();
    for (let i = 0; i < 45; i++) {
      const hit = await post(fx.app, chat(TAGLINE));
      expect(hit.headers["x-recall-cache"]).toBe("HIT");
      const [variant, of] = (hit.headers["x-recall-variant"] as string).split("/");
      expect(of).toBe("3");
      expect(contentOf(hit)).toBe(`Tagline, version ${variant}.`);
      seen.add(contentOf(hit));
    }
    expect(seen.size).toBe(3);
    expect(fx.mock.count("chat")).toBe(3);
  });

  it("streamed: streamed misses are the variants, and SSE replays play back the one drawn", async () => {
    const fx = await fixture({ variants: 2 });
    for (let i = 1; i <= 2; i++) {
      const miss = await post(fx.app, chat(TAGLINE, { stream: true }));
      expect(miss.headers["x-recall-cache"]).toBe("MISS");
      expect(streamedText(miss)).toBe(`Tagline, version ${i}.`);
    }
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const replay = await post(fx.app, chat(TAGLINE, { stream: true }));
      expect(replay.headers["x-recall-cache"]).toBe("HIT");
      expect(replay.headers["content-type"]).toMatch(/text\/event-stream/);
      const [variant, of] = (replay.headers["x-recall-variant"] as string).split("/");
      expect(of).toBe("2");
      expect(streamedText(replay)).toBe(`Tagline, version ${variant}.`);
      seen.add(streamedText(replay));
    }
    expect(seen.size).toBe(2);
    // A plain request shares the entry.
    expect(contentOf(await post(fx.app, chat(TAGLINE)))).toMatch(/^Tagline, version [12]\.$/);
    expect(fx.mock.count("chat")).toBe(2);
  });

  it("per request: X-Recall-Variants (any temperature), or your callOptions(req); a bad header is a 400", async () => {
    const fx = await fixture();
    const greedy = chat(TAGLINE, { temperature: 0 });
    const two = { "X-Recall-Variants": "2" };
    expect((await post(fx.app, greedy, two)).headers["x-recall-cache"]).toBe("MISS");
    expect((await post(fx.app, greedy, two)).headers["x-recall-cache"]).toBe("MISS");
    const hit = await post(fx.app, greedy, two);
    expect(hit.headers["x-recall-cache"]).toBe("HIT");
    expect(hit.headers["x-recall-variant"]).toMatch(/^[12]\/2$/);
    // Without it, one answer: the entry's first, no variant header.
    const one = await post(fx.app, greedy);
    expect(contentOf(one)).toBe("Tagline, version 1.");
    expect(one.headers["x-recall-variant"]).toBeUndefined();
    expect(fx.mock.count("chat")).toBe(2);
    for (const bad of ["0", "33", "two", "1.5"]) {
      const refused = await post(fx.app, greedy, { "X-Recall-Variants": bad });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe("invalid_recall_variants");
    }
    await fx.close();

    const own = await fixture({}, { callOptions: () => ({ variants: 2 }) });
    await post(own.app, chat(TAGLINE));
    await post(own.app, chat(TAGLINE));
    expect((await post(own.app, chat(TAGLINE))).headers["x-recall-variant"]).toMatch(/^[12]\/2$/);
    expect(own.mock.count("chat")).toBe(2);
  });

  it("an answer that fails validation is not appended; the next request fills the slot", async () => {
    const fx = await fixture({ variants: 2, validate: (r) => !r.text?.includes("version 2") || "no" });
    for (let i = 0; i < 3; i++)
      expect((await post(fx.app, chat(TAGLINE))).headers["x-recall-cache"]).toBe("MISS");
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(contentOf(await post(fx.app, chat(TAGLINE))));
    expect([...seen].sort()).toEqual(["Tagline, version 1.", "Tagline, version 3."]);
    expect(fx.mock.count("chat")).toBe(3);
  });

  it("routeCache: a route's chat answers fill the variants, then hits serve them (X-Recall-Variant)", async () => {
    const cache = createCache({ variants: 2, random: mulberry32(8) });
    let runs = 0;
    const app = express();
    const toRequest = (req: express.Request) => ({
      model: { provider: "acme", id: "writer-1" },
      messages: [{ role: "user" as const, content: `Tagline for: ${req.body.shop}` }],
    });
    app.post("/tagline", express.json(), routeCache({ cache, toRequest }), (_req, res) => {
      res.json({ tagline: `version ${++runs}` });
    });
    const ask = () => request(app).post("/tagline").send({ shop: "coffee" });
    expect((await ask()).headers["x-recall-cache"]).toBe("MISS");
    expect((await ask()).headers["x-recall-cache"]).toBe("MISS");
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const hit = await ask();
      expect(hit.headers["x-recall-cache"]).toBe("HIT");
      const [variant] = (hit.headers["x-recall-variant"] as string).split("/");
      expect(hit.body).toEqual({ tagline: `version ${variant}` });
      seen.add(hit.body.tagline);
    }
    expect(seen.size).toBe(2);
    expect(runs).toBe(2);
  });
});
