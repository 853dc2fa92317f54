import { Worker } from "node:worker_threads";

/**
 * Keeps one core busy: a worker thread that spins until stopped, as another process's hot loop
 * would on a shared machine. `stop` ends the thread (termination interrupts the loop).
 */
export async function busyCore(): Promise<{ stop(): Promise<void> }> {
  const worker = new Worker(
    "require('node:worker_threads').parentPort.postMessage('spinning'); for (;;) {}",
    { eval: true },
  );
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  return {
    async stop() {
      await worker.terminate();
    },
  };
}
