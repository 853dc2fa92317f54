/**
 * Runs the LangChain adapter benchmark on its own and prints a table.
 *   pnpm --filter @recall/langchain bench [-- --quick]
 */
import { benchArgs, QUICK } from "../../core/bench/args.js";
import { printFigures } from "../../core/bench/figures.js";
import { run } from "./index.js";

const { quick } = benchArgs("Usage: pnpm --filter @recall/langchain bench [-- --quick]", QUICK);
const figures = await run({ quick, progress: (m) => process.stderr.write(`… ${m}\n`) });
printFigures(`LangChain adapter${quick ? " (quick)" : ""}`, figures);
