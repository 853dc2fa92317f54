import type { LanguageModelV4StreamPart } from "@ai-sdk/provider";
import type { ReplayPace } from "./call-options.js";
import { type RecallMetadata, withRecall } from "./provider-metadata.js";
import { fromStorable } from "./storable.js";
import type { StreamBody } from "./stream.js";

export function isStreamBody(body: unknown): body is StreamBody {
  const b = body as Partial<StreamBody> | null;
  return (
    typeof b === "object" &&
    b !== null &&
    b.v === 1 &&
    b.type === "stream" &&
    Array.isArray(b.parts) &&
    Array.isArray(b.times) &&
    b.parts.length === b.times.length
  );
}

/**
 * Plays a recorded stream back as the model's stream: fresh parts (dates and bytes revived), our
 * metadata on the `finish` part. `instant` hands every part on at once; `original` keeps the
 * recorded timing (time to first part included); a number `n` plays it `n` times faster.
 */
export function replayStream(
  body: StreamBody,
  recall: RecallMetadata,
  pace: ReplayPace,
  signal?: AbortSignal,
): ReadableStream<LanguageModelV4StreamPart> {
  const parts = body.parts.map((stored) => {
    const part = fromStorable<LanguageModelV4StreamPart>(stored);
    return part.type === "finish"
      ? { ...part, providerMetadata: withRecall(part.providerMetadata, recall) }
      : part;
  });
  if (pace === "instant" || parts.length === 0) {
    return new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
  }
  const speed = pace === "original" ? 1 : pace;
  const startedAt = performance.now();
  let next = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  const onAbort = () => wake?.();
  return new ReadableStream({
    start() {
      signal?.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      const wait = body.times[next]! / speed - (performance.now() - startedAt);
      if (wait >= 1) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, wait);
        });
      }
      if (signal?.aborted) {
        signal.removeEventListener("abort", onAbort);
        controller.error(signal.reason ?? new DOMException("The operation was aborted.", "AbortError"));
        return;
      }
      // Hand on every part whose time has come (many deltas fall in one timer tick).
      const now = performance.now() - startedAt;
      do controller.enqueue(parts[next++]!);
      while (next < parts.length && body.times[next]! / speed <= now);
      if (next >= parts.length) {
        signal?.removeEventListener("abort", onAbort);
        controller.close();
      }
    },
    cancel() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  });
}
