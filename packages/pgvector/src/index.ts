export type { PgVectorIndex, PgVectorIndexOptions } from "./pgvector-index.js";
export { createPgVectorIndex } from "./pgvector-index.js";
