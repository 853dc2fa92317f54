/**
 * Runs the AI SDK middleware benchmark on its own and prints a table.
 *   pnpm --filter @recall/ai-sdk bench [-- --quick]
 */
import { benchArgs, QUICK } from "../../core/bench/args.js";
import { printFigures } from "../../core/bench/figures.js";
import { run } from "./index.js";

const { quick } = benchArgs("Usage: pnpm --filter @recall/ai-sdk bench [-- --quick]", QUICK);
const figures = await run({ quick, progress: (m) => process.stderr.write(`… ${m}\n`) });
printFigures(`AI SDK middleware${quick ? " (quick)" : ""}`, figures);
