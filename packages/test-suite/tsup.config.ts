import { recallBuild } from "../../tsup.base";

// vitest, fast-check, keyv and @recall/core are dependencies or peers: tsup leaves them external.
export default recallBuild({ index: "src/index.ts" });
