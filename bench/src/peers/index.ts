/**
 * The `peers` suite: each headline figure beside what a user would pick instead of Recall, measured
 * in the same run on the same machine and workload, each peer set up as its README says. Prints a
 * "peers" table (figure, Recall's, ratio) and a table of behaviours (stampede, streams, secrets,
 * model id in key); a peer that cannot be set up is reported and skipped.
 *   pnpm bench --only=peers [--quick]
 */
import type { BenchOptions, Figure } from "../../../packages/core/bench/figures.js";
import type { Behaviour, PeerReport } from "./common.js";

/** One concept per module, cheap first; each returns a `PeerReport`. */
const parts = [
  { title: "generic engines (bentocache, cacheable, cachified)", module: "./generic-engines.js" },
  {
    title: "stampede over 4 processes on Redis (Recall, bentocache, cacheable)",
    module: "./stampede-processes.js",
  },
  { title: "LangChain.js caches", module: "./langchain-caches.js" },
  { title: "the AI SDK caching recipe", module: "./ai-sdk-recipe.js" },
  { title: "the seed's semantic method", module: "./seed-method.js" },
];

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const behaviours: Behaviour[] = [];
  const skipped: string[] = [];
  for (const part of parts) {
    progress(`-- ${part.title}`);
    try {
      const mod = (await import(part.module)) as {
        run: (o: BenchOptions) => Promise<PeerReport>;
      };
      const report = await mod.run({ quick, progress });
      figures.push(...report.figures);
      behaviours.push(...report.behaviours);
      skipped.push(...report.skipped);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      skipped.push(`${part.title}: ${message}`);
      progress(`${part.title} FAILED, skipped: ${message}`);
    }
  }
  printPeers(figures, behaviours, skipped);
  return figures;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function printPeers(figures: Figure[], behaviours: Behaviour[], skipped: string[]): void {
  const byName = new Map(figures.map((f) => [f.name, f]));
  const rows = figures
    .filter((f) => f.name.startsWith("peer_") && !f.name.startsWith("peer_recall_"))
    .map((f) => {
      const recall = f.comparedWith ? byName.get(f.comparedWith) : undefined;
      return [
        f.name,
        `${f.value} ${f.unit}`,
        recall ? `${recall.value} ${recall.unit} (${recall.name})` : "not measured",
        f.ratio === undefined ? "" : `${f.ratio}x`,
      ];
    });
  console.log("\npeers: each figure beside Recall's, measured in the same run (ratio = peer / Recall)\n");
  console.log(table(["figure", "peer", "Recall's", "ratio"], rows));
  console.log("\npeers: behaviours\n");
  console.log(
    table(
      ["behaviour", "cache", "yes/no", "measured"],
      [...behaviours]
        .sort((a, b) => a.behaviour.localeCompare(b.behaviour))
        .map((b) => [b.behaviour, b.cache, b.answer, b.measured]),
    ),
  );
  if (skipped.length) console.log(`\npeers skipped:\n  ${skipped.join("\n  ")}`);
}
