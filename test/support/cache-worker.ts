// One app process for the multi-process tests: a cache on Redis (store, lock, bus) calling the
// mock OpenAI server. Driven over IPC:
//   parent → { type: "run", question, count }  runs `count` identical requests at once
//   worker → { type: "ready" } | { type: "done", outcomes, stats } | { type: "failed", error }
import { type AppConfig, ask, callUpstream, createApp } from "./app.js";

const config = JSON.parse(process.env.RECALL_WORKER_CONFIG ?? "{}") as AppConfig;
const { cache, redis } = createApp(config);
const send = (message: unknown) => process.send?.(message);

process.on("message", async (message: any) => {
  if (message?.type === "run") {
    try {
      const outcomes = await Promise.all(
        Array.from({ length: message.count as number }, () =>
          cache.run(ask(message.question), () => callUpstream(config.upstreamUrl!, message.question)),
        ),
      );
      send({
        type: "done",
        outcomes: outcomes.map((o) => ({ status: o.status, text: o.response.text })),
        stats: cache.stats.snapshot().total,
      });
    } catch (error) {
      send({ type: "failed", error: String(error) });
    }
  } else if (message?.type === "close") {
    await cache.close();
    await redis.close();
    process.exit(0);
  }
});

await cache.ready();
send({ type: "ready" });
