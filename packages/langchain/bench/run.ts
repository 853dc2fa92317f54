/**
 * Runs the LangChain adapter benchmark on its own and prints a table.
 *   pnpm --filter @recall/langchain bench [-- --quick]
 */
import { printFigures } from "../../core/bench/figures.js";
import { run } from "./index.js";

const quick = process.argv.includes("--quick");
const figures = await run({ quick, progress: (m) => process.stderr.write(`… ${m}\n`) });
printFigures(`LangChain adapter${quick ? " (quick)" : ""}`, figures);
