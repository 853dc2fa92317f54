import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * Postgres with pgvector for tests, served over TCP so the ordinary `pg` client talks to it as to
 * any Postgres. `stop()` closes the port (connections fail), `start()` serves the same data again.
 */
export async function startPgliteServer(port = 0) {
  const db = await PGlite.create({ extensions: { vector } });
  let server: PGLiteSocketServer | undefined;
  let boundPort = port;
  const handle = {
    db,
    get port() {
      return boundPort;
    },
    get connectionString() {
      return `postgres://postgres:postgres@127.0.0.1:${boundPort}/postgres`;
    },
    async start() {
      server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: boundPort, maxConnections: 20 });
      await server.start();
      boundPort = Number(server.getServerConn().split(":").pop());
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async close() {
      await handle.stop();
      await db.close();
    },
  };
  await handle.start();
  return handle;
}
