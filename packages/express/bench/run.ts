import { benchArgs, QUICK } from "../../core/bench/args.js";
import { run } from "./index.js";

/** `pnpm --filter @recall/express bench [--quick]`: prints the figures as a table. */
const { quick } = benchArgs("Usage: pnpm --filter @recall/express bench [-- --quick]", QUICK);
const figures = await run({ quick, progress: (m) => console.error(`  ${m}`) });
console.table(
  figures.map((f) => ({
    figure: f.name,
    value: f.value,
    unit: f.unit,
    "compared with": f.comparedWith ?? "",
    ratio: f.ratio === undefined ? "" : `${f.ratio}x`,
  })),
);
