import { recallBuild } from "../../tsup.base";

export default recallBuild({ index: "src/index.ts", cli: "src/cli.ts" });
