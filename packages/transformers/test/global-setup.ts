import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Newest change time of the sources the build reads (tests left out). */
function newestSource(dir = join(root, "src")): number {
  let newest = statSync(join(root, "tsup.config.ts")).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.endsWith(".test.ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The tests import src/, but a worker thread cannot start from TypeScript on Node 20: the pool runs
 * the built dist/embed-worker.js. turbo builds a package's dependencies before its tests, not the
 * package itself, so this builds it when dist is missing or older than src.
 */
export default function buildWorkerScript(): void {
  const worker = join(root, "dist", "embed-worker.js");
  if (existsSync(worker) && statSync(worker).mtimeMs >= newestSource()) return;
  process.stderr.write("@recall/transformers: dist/embed-worker.js is missing or stale, building\n");
  const tsupPackage = createRequire(join(root, "package.json")).resolve("tsup/package.json");
  const tsup = join(dirname(tsupPackage), "dist", "cli-default.js");
  execFileSync(process.execPath, [tsup], { cwd: root, stdio: "inherit" });
}
