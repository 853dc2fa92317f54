import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * Each suite run against implementations with one bug each (test/fixtures): the suite must fail the
 * tests that name the bug, and pass the others. The fixtures run in a vitest of their own, since
 * their failures are the expected outcome.
 */
const expectedFailures: Record<string, string[]> = {
  "lock suite: tokenless release": [
    "a stale handle's release does not free the next holder's lock",
    "a holder whose lock expired cannot release the next holder's lock",
  ],
  "lock suite: deaf waiters": [
    "expiry frees the key, and a waiter does not wait for it",
    "waitForRelease resolves when the holder releases, for every waiter",
    "waitForRelease resolves at once when nobody holds the key",
  ],
  "bus suite: echoes to its publisher": [
    "delivers a message to every other instance, never back to its publisher",
  ],
  "bus suite: unsubscribe does nothing": ["stops delivering to a listener that unsubscribed, and only to it"],
  "bus suite: listeners share the publisher's object": [
    "gives listeners a copy of the message as it was when published",
  ],
  "embedder suite: unnormalized": ["returns L2-normalized vectors"],
  "embedder suite: batches reversed": ["returns the vectors in the order of the texts"],
  "embedder suite: unrepresented out of range": [
    "unrepresented, when it has it: one share in [0, 1] per text, in order",
  ],
  "vector index suite: partitions ignored": [
    "never returns items of another partition (property)",
    "finds a small partition's item even when another partition is huge and closer",
    "replaces an item added again under the same id",
  ],
  "cache store suite: deletes ignored": ["deletes one entry by key", "purges a namespace and a tag"],
  "cache store suite: TTL dropped": ["expires entries after their TTL"],
};

interface Report {
  testResults: Array<{
    assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }>;
  }>;
}

const here = dirname(fileURLToPath(import.meta.url));
let results: Array<{ suite: string; title: string; status: string }>;

beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), "recall-test-suite-"));
  const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
  // Not this run's worker variables: the fixtures' vitest is a run of its own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST")));
  await new Promise<void>((resolve) => {
    execFile(
      process.execPath,
      [
        vitest,
        "run",
        "--config",
        join(here, "fixtures/vitest.config.ts"),
        "--reporter=json",
        `--outputFile=${join(out, "report.json")}`,
      ],
      { cwd: join(here, ".."), env, maxBuffer: 64 * 1024 * 1024 },
      () => resolve(),
    );
  });
  const report = JSON.parse(await readFile(join(out, "report.json"), "utf8")) as Report;
  await rm(out, { recursive: true, force: true });
  results = report.testResults.flatMap((file) =>
    file.assertionResults.map((r) => ({ suite: r.ancestorTitles[0]!, title: r.title, status: r.status })),
  );
}, 180_000);

describe("the suites fail implementations with a bug, on the tests that name it", () => {
  it.each(Object.entries(expectedFailures))("%s", (suite, failures) => {
    const ran = results.filter((r) => r.suite === suite);
    expect(ran.length).toBeGreaterThan(failures.length);
    const failed = ran.filter((r) => r.status === "failed").map((r) => r.title);
    expect(failed.sort()).toEqual([...failures].sort());
  });

  it("ran every fixture suite and no other", () => {
    expect([...new Set(results.map((r) => r.suite))].sort()).toEqual(Object.keys(expectedFailures).sort());
  });
});
