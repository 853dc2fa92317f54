import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeEmbedder } from "@recall/core/testing";
import { describe, expect, it } from "vitest";
import { loadLocalEmbedder, type TransformersModule } from "./local-embedder.js";
import { main } from "./main.js";

/** What Node throws for `import("@recall/transformers")` when the package is not installed. */
function notInstalled(name = "@recall/transformers"): Promise<TransformersModule> {
  const error = new Error(
    `Cannot find package '${name}' imported from /app/node_modules/@recall/cli/dist/index.js`,
  );
  return Promise.reject(Object.assign(error, { code: "ERR_MODULE_NOT_FOUND" }));
}

describe("the local embedder, an optional peer dependency", () => {
  it("says what to install when @recall/transformers is missing", async () => {
    const loading = loadLocalEmbedder(
      () => {},
      () => notInstalled(),
    );
    await expect(loading).rejects.toMatchObject({
      code: "RECALL_MISSING_DEPENDENCY",
      message: expect.stringContaining("npm install @recall/transformers"),
      cause: expect.objectContaining({ code: "ERR_MODULE_NOT_FOUND" }),
    });
  });

  it("passes any other failure on as it is (a missing module inside it is not a missing package)", async () => {
    const inner = notInstalled("onnxruntime-node");
    await expect(
      loadLocalEmbedder(
        () => {},
        () => inner,
      ),
    ).rejects.toThrow(/Cannot find package 'onnxruntime-node'/);
  });

  it("creates the embedder from the imported package, with progress messages", async () => {
    const embedder = fakeEmbedder();
    const seen: Array<((m: string) => void) | undefined> = [];
    const loaded = await loadLocalEmbedder(
      () => {},
      async () => ({
        createLocalEmbedder: ({ onProgress }) => {
          seen.push(onProgress);
          return embedder;
        },
      }),
    );
    expect(loaded).toBe(embedder);
    expect(seen).toHaveLength(1);
  });

  it("recall calibrate exits 1 with the install hint, after reading the pairs", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "recall-cli-peer-")), "pairs.jsonl");
    writeFileSync(file, `${JSON.stringify({ a: "x", b: "y", label: 1 })}\n`);
    const err: string[] = [];
    const code = await main(["calibrate", "--pairs", file], {
      stdout: () => {},
      stderr: (t) => err.push(t),
      embedder: () =>
        loadLocalEmbedder(
          () => {},
          () => notInstalled(),
        ),
    });
    expect(code).toBe(1);
    expect(err.join("\n")).toMatch(
      /^recall: \[recall\] the local embedder needs @recall\/transformers, an optional peer dependency of @recall\/cli: npm install @recall\/transformers @huggingface\/transformers/,
    );
  });
});
