import { createCache, createMemoryLock } from "@recall/core";
import { fakeClock } from "@recall/core/testing";
import express from "express";
import Keyv from "keyv";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { openAIProxy } from "../src/index.js";
import { chat, type ProxyFixture, proxyFixture } from "./helpers.js";

let fx: ProxyFixture | undefined;
afterEach(async () => {
  // One test stops the upstream itself.
  await fx?.close().catch(() => {});
  fx = undefined;
});

const TTL = 60_000;
const HOURS = "What are your opening hours?";
const post = (app: ProxyFixture["app"], body: unknown, path = "/v1/chat/completions") =>
  request(app)
    .post(path)
    .set("Authorization", "Bearer sk-client")
    .send(body as object);

/** The mock upstream answers each call with a new version, so a refresh is visible. */
async function fixture(cache: Parameters<typeof createCache>[0]) {
  const clock = fakeClock();
  let version = 0;
  fx = await proxyFixture({
    mock: { answer: () => `The hours, version ${++version}.` },
    cache: { clock, ttl: TTL, ...cache },
  });
  return { clock, fx };
}

describe("openAIProxy: stale-while-revalidate", () => {
  it("answers STALE at once, refreshes once upstream (without streaming), then answers the new entry", async () => {
    const { clock, fx } = await fixture({ staleWhileRevalidate: 30_000 });
    const first = await post(fx.app, chat(HOURS));
    expect(first.headers["x-recall-cache"]).toBe("MISS");
    clock.advance(TTL + 1);
    const stale = await Promise.all([post(fx.app, chat(HOURS)), post(fx.app, chat(HOURS))]);
    for (const r of stale) {
      expect(r.status).toBe(200);
      expect(r.headers["x-recall-cache"]).toBe("STALE");
      expect(r.headers["x-recall-stale-reason"]).toBe("revalidating");
      expect(r.text).toBe(first.text);
    }
    await fx.cache.drain();
    expect(fx.mock.count("chat")).toBe(2);
    const fresh = await post(fx.app, chat(HOURS));
    expect(fresh.headers["x-recall-cache"]).toBe("HIT");
    expect(fresh.body.choices[0].message.content).toBe("The hours, version 2.");
  });

  it("streams: replays the stale completion as SSE and refreshes it with a plain call", async () => {
    const { clock, fx } = await fixture({ staleWhileRevalidate: 30_000 });
    await post(fx.app, chat(HOURS, { stream: true }));
    clock.advance(TTL + 1);
    const stale = await post(fx.app, chat(HOURS, { stream: true }));
    expect(stale.headers["x-recall-cache"]).toBe("STALE");
    expect(stale.headers["content-type"]).toMatch(/text\/event-stream/);
    expect(stale.text).toContain("version 1");
    await fx.cache.drain();
    const refresh = fx.mock.requests.at(-1)!;
    expect(refresh.stream).toBe(false);
    const fresh = await post(fx.app, chat(HOURS, { stream: true }));
    expect(fresh.headers["x-recall-cache"]).toBe("HIT");
    expect(fresh.text).toContain("version 2");
  });

  it("keeps the stale entry when the refresh gets a 500, and is a MISS past the window", async () => {
    const { clock, fx } = await fixture({ staleWhileRevalidate: 30_000 });
    await post(fx.app, chat(HOURS));
    clock.advance(TTL + 1);
    fx.mock.failNext(500, "upstream is down", 2);
    expect((await post(fx.app, chat(HOURS))).headers["x-recall-cache"]).toBe("STALE");
    await fx.cache.drain();
    expect(fx.cache.stats.snapshot().total.refreshes.failed).toBe(1);
    const again = await post(fx.app, chat(HOURS));
    expect(again.headers["x-recall-cache"]).toBe("STALE");
    expect(again.body.choices[0].message.content).toBe("The hours, version 1.");
    await fx.cache.drain();
    expect(fx.cache.stats.snapshot().total.refreshes.failed).toBe(2);
    clock.advance(30_000);
    const past = await post(fx.app, chat(HOURS));
    expect(past.headers["x-recall-cache"]).toBe("MISS");
    expect(past.body.choices[0].message.content).toBe("The hours, version 2.");
  });
});

describe("openAIProxy: two instances sharing a store and a lock", () => {
  it("refresh a stale entry once between them", async () => {
    const { clock, fx } = await fixture({});
    const lock = createMemoryLock({ clock });
    const instance = () => {
      const cache = createCache({
        clock,
        ttl: TTL,
        staleWhileRevalidate: 30_000,
        store: new Keyv({ store: fx.map }),
        lock,
      });
      const app = express();
      app.use("/v1", openAIProxy({ cache, upstream: fx.mock.url }));
      return { cache, app };
    };
    const [a, b] = [instance(), instance()];
    await post(a.app, chat(HOURS));
    clock.advance(TTL + 1);
    const answers = await Promise.all([
      post(a.app, chat(HOURS)),
      post(b.app, chat(HOURS)),
      post(a.app, chat(HOURS)),
      post(b.app, chat(HOURS)),
    ]);
    expect(answers.map((r) => r.headers["x-recall-cache"])).toEqual(["STALE", "STALE", "STALE", "STALE"]);
    await Promise.all([a.cache.drain(), b.cache.drain()]);
    expect(fx.mock.count("chat")).toBe(2);
    expect((await post(b.app, chat(HOURS))).body.choices[0].message.content).toBe("The hours, version 2.");
    await Promise.all([a.cache.close(), b.cache.close()]);
  });
});

describe("openAIProxy: a refresh that fails validation", () => {
  it("keeps answering STALE with the old entry when the refreshed answer is refused", async () => {
    const { clock, fx } = await fixture({
      staleWhileRevalidate: 30_000,
      validate: (response) => (response.text?.includes("version 2") ? "not yet approved" : true),
    });
    const first = await post(fx.app, chat(HOURS));
    clock.advance(TTL + 1);
    expect((await post(fx.app, chat(HOURS))).text).toBe(first.text);
    await fx.cache.drain();
    expect(fx.cache.stats.snapshot().total.refreshes.rejected).toBe(1);
    const again = await post(fx.app, chat(HOURS));
    expect(again.headers["x-recall-cache"]).toBe("STALE");
    expect(again.text).toBe(first.text);
  });
});

describe("openAIProxy: grace on upstream failure", () => {
  it("answers a 500, a 503 and a 429 from the upstream with the stale entry, STALE and the status as reason", async () => {
    const { clock, fx } = await fixture({ grace: 3_600_000 });
    const first = await post(fx.app, chat(HOURS));
    clock.advance(TTL + 60_000);
    for (const status of [500, 503, 429]) {
      fx.mock.failNext(status, "no");
      const r = await post(fx.app, chat(HOURS));
      expect(r.status).toBe(200);
      expect(r.headers["x-recall-cache"]).toBe("STALE");
      expect(r.headers["x-recall-stale-reason"]).toBe(`upstream failed: the upstream answered ${status}`);
      expect(r.text).toBe(first.text);
    }
    expect(fx.cache.stats.snapshot().total.graced).toBe(3);
  });

  it("replays the stale entry for a stream whose upstream answers 500", async () => {
    const { clock, fx } = await fixture({ grace: 3_600_000 });
    await post(fx.app, chat(HOURS, { stream: true }));
    clock.advance(TTL + 1);
    fx.mock.failNext(500, "no");
    const r = await post(fx.app, chat(HOURS, { stream: true }));
    expect(r.status).toBe(200);
    expect(r.headers["x-recall-cache"]).toBe("STALE");
    expect(r.text).toContain("version 1");
    expect(r.text).toContain("data: [DONE]");
  });

  it("answers an unreachable upstream with the stale entry", async () => {
    const { clock, fx } = await fixture({ grace: 3_600_000 });
    await post(fx.app, chat(HOURS));
    await post(fx.app, chat(`${HOURS} (streamed)`, { stream: true }));
    clock.advance(TTL + 1);
    await fx.mock.close();
    const r = await post(fx.app, chat(HOURS));
    expect(r.status).toBe(200);
    expect(r.headers["x-recall-stale-reason"]).toBe("upstream failed: the upstream could not be reached");
    const streamed = await post(fx.app, chat(`${HOURS} (streamed)`, { stream: true }));
    expect(streamed.status).toBe(200);
    expect(streamed.headers["x-recall-cache"]).toBe("STALE");
    expect(streamed.text).toContain("data: [DONE]");
  });

  it("passes the error through past grace, with grace off, and on a 4xx", async () => {
    const past = await fixture({ grace: 60_000 });
    await post(past.fx.app, chat(HOURS));
    past.clock.advance(TTL + 60_000);
    past.fx.mock.failNext(500, "no");
    const r = await post(past.fx.app, chat(HOURS));
    expect(r.status).toBe(500);
    expect(r.headers["x-recall-cache"]).toBe("MISS");
    await past.fx.close();

    const off = await fixture({});
    await post(off.fx.app, chat(HOURS));
    off.clock.advance(TTL + 1);
    off.fx.mock.failNext(500, "no");
    expect((await post(off.fx.app, chat(HOURS))).status).toBe(500);
    await off.fx.close();

    const client = await fixture({ grace: 3_600_000 });
    await post(client.fx.app, chat(HOURS));
    client.clock.advance(TTL + 1);
    client.fx.mock.failNext(400, "bad request");
    expect((await post(client.fx.app, chat(HOURS))).status).toBe(400);
  });
});

describe("openAIProxy: invalidation", () => {
  it("reads entries made before `invalidate.before` as MISS and replaces them", async () => {
    const { clock, fx } = await fixture({});
    await post(fx.app, chat(HOURS));
    const cutoff = clock.now() + 1;
    clock.advance(1_000);
    const cache = createCache({ clock, store: new Keyv({ store: fx.map }), invalidate: { before: cutoff } });
    const app = express();
    app.use("/v1", openAIProxy({ cache, upstream: fx.mock.url }));
    const replaced = await post(app, chat(HOURS));
    expect(replaced.headers["x-recall-cache"]).toBe("MISS");
    expect(replaced.body.choices[0].message.content).toBe("The hours, version 2.");
    expect((await post(app, chat(HOURS))).headers["x-recall-cache"]).toBe("HIT");
    await cache.close();
  });
});
