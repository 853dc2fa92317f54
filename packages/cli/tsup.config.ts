import { recallBuild } from "../../tsup.base";

// `bin` is the `recall` command (package.json "bin").
export default recallBuild({ index: "src/index.ts", bin: "src/bin.ts" });
