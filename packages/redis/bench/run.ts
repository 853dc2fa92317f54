/**
 * Runs the Redis benchmark on its own and prints a table.
 *   pnpm --filter @recall/redis bench [-- --quick]
 */
import { run } from "./index.js";

const quick = process.argv.includes("--quick");
const figures = await run({ quick, progress: (m) => process.stderr.write(`… ${m}\n`) });
const rows = figures.map((f) => [
  f.name,
  String(f.value),
  f.unit,
  f.comparedWith ?? "",
  f.ratio === undefined ? "" : `${f.ratio}x`,
]);
const header = ["figure", "value", "unit", "compared with", "ratio"];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (cells: string[]) =>
  `| ${cells.map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(" | ")} |`;
console.log(`\nMany instances on Redis${quick ? " (quick)" : ""}, Node ${process.version}\n`);
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
process.exit(0);
