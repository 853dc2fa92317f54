// Postgres with pgvector in a process of its own (PGlite served over TCP by pglite-socket), so a
// test can stop it the way a database goes away: the process dies, its port closes.
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

const { port } = JSON.parse(process.env.RECALL_WORKER_CONFIG ?? "{}") as { port: number };
const db = await PGlite.create({ extensions: { vector } });
const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 20 });
await server.start();
process.send?.({ type: "ready", port });
