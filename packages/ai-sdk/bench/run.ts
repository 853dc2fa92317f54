/**
 * Runs the AI SDK middleware benchmark on its own and prints a table.
 *   pnpm --filter @recall/ai-sdk bench [-- --quick]
 */
import { printFigures } from "../../core/bench/figures.js";
import { run } from "./index.js";

const quick = process.argv.includes("--quick");
const figures = await run({ quick, progress: (m) => process.stderr.write(`… ${m}\n`) });
printFigures(`AI SDK middleware${quick ? " (quick)" : ""}`, figures);
