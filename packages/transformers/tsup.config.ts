import { recallBuild } from "../../tsup.base";

// `shims` gives the CommonJS build an `import.meta.url` (used to find the model source and cache, and
// the worker script). `embed-worker` is the script each worker thread of the pool runs: no types.
export default recallBuild(
  { index: "src/index.ts", cli: "src/cli.ts", "embed-worker": "src/embed-worker.ts" },
  { shims: true, dts: { entry: { index: "src/index.ts", cli: "src/cli.ts" } } },
);
