import type { AddressInfo } from "node:net";
import type { RecallCache } from "@recall/core";
import { dashboard } from "@recall/express";
import express from "express";

/**
 * `--dashboard`: @recall/express's dashboard for the demo's cache on 127.0.0.1 (this machine only),
 * live during the run and kept up after it until Ctrl-C.
 */
export async function startDashboard(
  cache: RecallCache,
  port: number,
): Promise<{ url: string; untilStopped(): Promise<void>; close(): Promise<void> }> {
  const handler = dashboard(cache, { title: "Recall demo", intervalMs: 2_000 });
  const app = express();
  app.use("/recall", handler);
  const server = app.listen(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) =>
    server
      .once("listening", resolve)
      .once("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "EADDRINUSE"
            ? new Error(`--dashboard-port ${port} is taken; pick another (0 for any free port)`)
            : error,
        ),
      ),
  );
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/recall/`,
    untilStopped: () =>
      new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        handler.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
