import { recallBuild } from "../../tsup.base";

export default recallBuild({ index: "src/index.ts" });
