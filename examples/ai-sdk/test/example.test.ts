import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = async (...args: string[]) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    // The test checks matching, not load: on a busy machine no lookup may be shed for time.
    ["--import", "tsx", "src/main.ts", "--budget-ms", "60000", ...args],
    {
      cwd: root,
      timeout: 540_000,
    },
  );
  return stdout;
};

describe("the AI SDK example", () => {
  it.each([[[]], [["--provider-embeddings"]]])(
    "runs offline with args %j and answers repeats from the cache",
    async (args) => {
      const out = await run(...args);
      const statuses = [...out.matchAll(/-> (\w[\w-]*)/g)].map((m) => m[1]);
      expect(statuses).toEqual(["miss", "hit", "semantic-hit", "miss", "bypass", "miss", "hit", "hit"]);
      expect(out).toMatch(/second run .* 2 steps \(hit, hit\), 0 upstream requests/);
      expect(out).toMatch(/upstream requests: 6 \(chat 4, responses 2\)/);
    },
  );
});
