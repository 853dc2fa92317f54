/**
 * The child side of a benchmark's child processes (forked with an IPC channel): messages to the
 * parent, never outliving it, and waiting for a start instant the parent sent ahead.
 */
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Exits this process when the parent goes away (or has gone already, while this one was still
 * loading its modules); returns how to send it a message (resolves once sent).
 */
export function linkToParent<M>(): (message: M) => Promise<void> {
  process.on("disconnect", () => process.exit(1));
  if (!process.connected) process.exit(1);
  return (message) =>
    new Promise<void>((resolve) => {
      process.send?.(message, undefined, undefined, () => resolve());
    });
}

/** Waits until the instant `at` (epoch ms, one machine's clock); resolves with how late it woke, in ms. */
export async function untilInstant(at: number): Promise<number> {
  await sleep(Math.max(0, at - Date.now()));
  return Date.now() - at;
}
