import { recallBuild } from "../../tsup.base";

// `shims` gives the CommonJS build an `import.meta.url` (used to find the model source and cache).
export default recallBuild({ index: "src/index.ts", cli: "src/cli.ts" }, { shims: true });
