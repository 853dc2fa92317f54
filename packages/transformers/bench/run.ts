import { benchArgs, QUICK } from "../../core/bench/args.js";
import { run } from "./index.js";

/** `pnpm --filter @recall/transformers bench [--quick]`: prints the figures as a table. */
const { quick } = benchArgs("Usage: pnpm --filter @recall/transformers bench [-- --quick]", QUICK);
const figures = await run({ quick, progress: (m) => console.error(`  ${m}`) });
const rows = figures.map((f) => ({
  figure: f.name,
  value: Number(f.value.toFixed(f.value < 10 ? 2 : 0)),
  unit: f.unit,
  vs: f.comparedWith ? `${f.ratio?.toFixed(2)}x ${f.comparedWith}` : "",
}));
console.table(rows);
