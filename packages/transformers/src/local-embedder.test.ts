import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { loadLibrary } from "./backend.js";
import { createLocalEmbedder, type LocalEmbedderOptions } from "./local-embedder.js";

describe("createLocalEmbedder options", () => {
  const invalid: Array<[string, LocalEmbedderOptions]> = [
    ["unknown backend", { backend: "onnx" as never }],
    ["zero batch size", { batchSize: 0 }],
    ["other model without dimensions", { model: "Xenova/bge-small-en-v1.5" }],
    ["wrong dimensions for the default model", { dimensions: 768 }],
    ["q8 for the local build", { dtype: "q8" }],
    ["negative threads", { threads: -1 }],
    ["fractional threads", { threads: 1.5 }],
    ["zero intra-op threads", { intraOpThreads: 0 }],
    ["zero intra-op threads on the calling thread", { threads: 0, intraOpThreads: 0 }],
    ["negative worker nice", { workerNice: -5 }],
    ["worker nice past 19", { workerNice: 20 }],
  ];
  it.each(invalid)("rejects %s at creation with RECALL_INVALID_OPTION", (_, options) => {
    expect(() => createLocalEmbedder(options)).toThrow(
      expect.objectContaining({ code: "RECALL_INVALID_OPTION" }),
    );
  });

  it("names the model, weights and pooling in the id, not the library", () => {
    expect(createLocalEmbedder({ backend: "xenova" }).id).toBe(
      createLocalEmbedder({ backend: "huggingface" }).id,
    );
    const other = createLocalEmbedder({ model: "Xenova/bge-small-en-v1.5", dimensions: 384, dtype: "q8" });
    expect(other.id).toBe("transformers:Xenova/bge-small-en-v1.5@q8:mean:norm");
    expect(other.dimensions).toBe(384);
  });

  it("loads nothing at creation", () => {
    // Would throw on first use if the library were missing, not here.
    expect(() => createLocalEmbedder({ modelDir: "/nonexistent/recall-models" })).not.toThrow();
  });

  it("runs as many batches at once as it has worker threads, and says it is local", () => {
    const defaultThreads = Math.min(4, availableParallelism());
    expect(createLocalEmbedder().concurrency).toBe(defaultThreads);
    expect(createLocalEmbedder({ threads: 3 }).concurrency).toBe(3);
    expect(createLocalEmbedder({ threads: 0 }).concurrency).toBe(1);
    expect(createLocalEmbedder({ threads: 0 }).local).toBe(true);
  });
});

describe("loadLibrary", () => {
  it("says what to install when the chosen library is missing", async () => {
    const notFound = async (specifier: string) => {
      throw Object.assign(new Error(`Cannot find package '${specifier}' imported from x`), {
        code: "ERR_MODULE_NOT_FOUND",
      });
    };
    const error = await loadLibrary("xenova", notFound).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "RecallError", code: "RECALL_MISSING_DEPENDENCY" });
    expect((error as Error).message).toContain("npm install @xenova/transformers");
    expect((error as Error).message).toContain('backend: "huggingface"');
  });

  it("passes other import failures through unchanged", async () => {
    const broken = new SyntaxError("Unexpected token");
    await expect(loadLibrary("huggingface", async () => Promise.reject(broken))).rejects.toBe(broken);
  });
});
