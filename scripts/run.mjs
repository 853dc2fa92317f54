#!/usr/bin/env node
// One entry point for the README's commands, so they work on a fresh machine with only Node and npm:
// it installs the workspace from the lock file (with pnpm 10, fetched by npx when missing), builds
// what changed, then runs the asked-for job.
//   npm run demo [-- --adapter ai-sdk|langchain|express|core] [--store redis]
//   npm test
//   npm run bench [-- --quick]
//   npm run recall -- calibrate --pairs FILE.jsonl
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PNPM_VERSION = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split(
  "@",
)[1];
const [job, ...args] = process.argv.slice(2);

function run(cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit", env: process.env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpmCommand() {
  const probe = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (probe.status === 0 && probe.stdout.trim().startsWith("10.")) return ["pnpm", []];
  return ["npx", ["--yes", `pnpm@${PNPM_VERSION}`]];
}

const [pnpmBin, pnpmPre] = pnpmCommand();
const pnpm = (...a) => run(pnpmBin, [...pnpmPre, ...a]);
const step = (msg) => process.stderr.write(`\n> ${msg}\n`);

function ensureInstalled() {
  const marker = join(root, "node_modules", ".pnpm", "lock.yaml");
  const lock = join(root, "pnpm-lock.yaml");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step(`installing the workspace from pnpm-lock.yaml (pnpm ${PNPM_VERSION})`);
  if (pnpm("install", "--frozen-lockfile") !== 0) process.exit(1);
}

function ensureBuilt() {
  step("building the packages (turbo caches what did not change)");
  if (pnpm("exec", "turbo", "run", "build", "--output-logs=errors-only") !== 0) process.exit(1);
}

function testResultFiles() {
  const dirs = ["packages", "examples"].flatMap((d) =>
    existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p)) : [],
  );
  dirs.push(join(root, "test"));
  return dirs.map((d) => join(d, ".vitest-results.json"));
}

const firstLine = (text) => (text ?? "").trim().split("\n")[0].slice(0, 300);

function test() {
  for (const file of testResultFiles()) rmSync(file, { force: true });
  step("running every package's tests (vitest, through turbo)");
  const status = pnpm("exec", "turbo", "run", "test", "--concurrency=1", "--continue", ...args);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  for (const file of testResultFiles()) {
    if (!existsSync(file)) {
      // A package with tests that wrote no report crashed or found no test: count it as a failure.
      const pkg = join(dirname(file), "package.json");
      if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).scripts?.test) {
        failed++;
        console.error(`no test report from ${dirname(file)}`);
      }
      continue;
    }
    const r = JSON.parse(readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    // A suite that failed to load counts as a failure even with no failed test inside it.
    for (const suite of r.testResults ?? []) {
      const where = suite.name.startsWith(root) ? suite.name.slice(root.length + 1) : suite.name;
      if (suite.status === "failed" && suite.assertionResults.length === 0) {
        failed++;
        failures.push(`${where}: ${firstLine(suite.message)}`);
      }
      for (const a of suite.assertionResults) {
        if (a.status === "failed")
          failures.push(`${where} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
      }
    }
  }
  // The failed tests again at the end, where a CI log's tail shows them.
  if (failures.length > 0) console.log(`\nfailed:\n${failures.map((f) => `  ${f}`).join("\n")}`);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(status !== 0 || failed > 0 ? 1 : 0);
}

ensureInstalled();
ensureBuilt();
switch (job) {
  case "test":
    test();
    break;
  case "demo":
    process.exit(pnpm("--silent", "--filter", "@recall/example-demo", "start", ...args));
    break;
  case "bench":
    process.exit(pnpm("--silent", "--filter", "@recall/bench", "bench", ...args));
    break;
  case "recall":
    process.exit(run(process.execPath, [join(root, "packages/cli/dist/bin.js"), ...args]));
    break;
  default:
    console.error(`unknown job ${job}; use demo, test, bench or recall`);
    process.exit(2);
}
