/**
 * The learning curve as an SVG chart, written by hand (no dependencies): the hit rate on questions
 * whose meaning was asked before in another wording, per quarter of the stream, one line per
 * configuration.
 *
 * The learn suite writes its series to `.bench/learning-curve.json`; with `--chart` it also writes
 * `docs/learning-curve.svg`:
 *   pnpm bench --only=learn --chart
 * or, from the series of the last run, without running again:
 *   pnpm --filter @recall/bench exec tsx src/learn/chart.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface QuarterPoint {
  hitRate: number;
  judgeCallsPerHit: number;
  falseHitRate: number;
  exactRepeatHitRate: number;
  lookups: number;
  repeatMeaning: number;
  hits: number;
  wrong: number;
  judgeCalls: number;
}

export interface LearningCurve {
  date: string;
  quick: boolean;
  seed: number;
  questions: number;
  judge: {
    simulated: true;
    accuracy: number;
    modelId: string;
    usage: { inputTokens: number; outputTokens: number };
  };
  configs: Array<{ name: string; label: string; quarters: QuarterPoint[] }>;
}

export const CURVE_FILE = ".bench/learning-curve.json";
export const CHART_FILE = "docs/learning-curve.svg";

/** A color and dash per configuration: static ones grey, learned ones by bound, async dashed. */
function styleOf(name: string, i: number): { color: string; dash: string } {
  const palette: Record<string, string> = {
    static_097: "#555555",
    static_092: "#999999",
    learned_1pct: "#1f77b4",
    learned_2pct: "#d62728",
  };
  const family = name.replace(/_(sync|async)$/, "");
  const fallback = ["#2ca02c", "#9467bd", "#8c564b", "#e377c2"][i % 4]!;
  return { color: palette[family] ?? fallback, dash: name.endsWith("_async") ? "6 4" : "" };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function learningCurveSvg(curve: LearningCurve): string {
  const W = 900;
  const H = 420;
  const left = 60;
  const right = 370;
  const top = 64;
  const bottom = 60;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const maxRate = Math.max(0.1, ...curve.configs.flatMap((c) => c.quarters.map((q) => q.hitRate)));
  const yMax = Math.ceil((maxRate + 0.02) * 10) / 10;
  const x = (q: number) => left + (plotW * (q + 0.5)) / 4;
  const y = (v: number) => top + plotH - (plotH * v) / yMax;
  const parts: string[] = [];
  // Grid and axes.
  for (let v = 0; v <= yMax + 1e-9; v += 0.1) {
    const yy = y(v).toFixed(1);
    parts.push(
      `<line x1="${left}" y1="${yy}" x2="${left + plotW}" y2="${yy}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${yy}" font-size="11" text-anchor="end" dominant-baseline="middle">${Math.round(v * 100)}%</text>`,
    );
  }
  for (let q = 0; q < 4; q++) {
    parts.push(
      `<text x="${x(q).toFixed(1)}" y="${top + plotH + 18}" font-size="11" text-anchor="middle">quarter ${q + 1}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333"/>`,
    `<text x="${left + plotW / 2}" y="${H - 18}" font-size="12" text-anchor="middle">stream, in quarters (${curve.questions.toLocaleString("en-US")} questions)</text>`,
    `<text x="16" y="${top + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${top + plotH / 2})">hit rate, other wordings</text>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">Paraphrases answered from cache, by quarter of the stream</text>`,
    `<text x="${left}" y="40" font-size="11" fill="#555">simulated judge, accuracy ${Math.round(curve.judge.accuracy * 100)}%; a question counts when its meaning was asked before in another wording</text>`,
  );
  // One line per configuration, and its legend entry.
  curve.configs.forEach((c, i) => {
    const { color, dash } = styleOf(c.name, i);
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : "";
    const points = c.quarters.map((q, k) => `${x(k).toFixed(1)},${y(q.hitRate).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"${dashAttr}/>`);
    for (const [k, q] of c.quarters.entries()) {
      parts.push(
        `<circle cx="${x(k).toFixed(1)}" cy="${y(q.hitRate).toFixed(1)}" r="3" fill="${color}"><title>${esc(c.label)}, quarter ${k + 1}: ${(q.hitRate * 100).toFixed(1)}%</title></circle>`,
      );
    }
    const ly = top + 10 + i * 36;
    const lx = left + plotW + 20;
    const lastRate = c.quarters[c.quarters.length - 1]?.hitRate ?? 0;
    // Configurations with the same curve draw one line: the legend says whose line it is.
    const same = curve.configs
      .slice(0, i)
      .find((o) => o.quarters.every((q, k) => q.hitRate === c.quarters[k]?.hitRate));
    const note = `quarter 4: ${(lastRate * 100).toFixed(0)}%${same ? `; the same line as ${same.label}` : ""}`;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${color}" stroke-width="2"${dashAttr}/>`,
      `<text x="${lx + 36}" y="${ly}" font-size="11" dominant-baseline="middle">${esc(c.label)}</text>`,
      `<text x="${lx + 36}" y="${ly + 14}" font-size="10" fill="#666" dominant-baseline="middle">${esc(note)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" role="img">
<title>Hit rate on new wordings of a known question, per quarter of the stream, for each configuration</title>
<rect width="${W}" height="${H}" fill="#ffffff"/>
${parts.join("\n")}
</svg>
`;
}

/** Writes the chart of `curve` to docs/learning-curve.svg under `root`; returns its path. */
export function writeChart(root: string, curve: LearningCurve): string {
  const file = join(root, CHART_FILE);
  writeFileSync(file, learningCurveSvg(curve));
  return file;
}

// Run directly: draws the chart from the series the last learn run wrote.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
  const curve = JSON.parse(readFileSync(join(root, CURVE_FILE), "utf8")) as LearningCurve;
  process.stdout.write(`wrote ${writeChart(root, curve)}\n`);
}
