/** One measured figure, as every benchmark module reports it and bench-results.json stores it. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The figure this one is measured against, in the same run. */
  comparedWith?: string;
  /** value / comparedWith's value. */
  ratio?: number;
}

export interface BenchOptions {
  quick: boolean;
  progress: (message: string) => void;
}

/** Percentile of a list of samples (sorted in place). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  samples.sort((a, b) => a - b);
  const index = Math.min(samples.length - 1, Math.max(0, Math.ceil((p / 100) * samples.length) - 1));
  return samples[index]!;
}

/** Runs `op` `count` times after `warmup` runs; returns each run's duration in microseconds. */
export async function timeEach(
  count: number,
  op: (i: number) => Promise<unknown>,
  warmup = Math.min(500, count),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await op(i);
  const samples = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await op(i);
    samples[i] = Number(process.hrtime.bigint() - start) / 1_000;
  }
  return samples;
}

/**
 * Runs each op `count` times, round-robin after `warmup` rounds (so load from elsewhere hits all
 * alike); each op's durations in microseconds.
 */
export async function timeInterleaved<Ops extends Array<() => Promise<unknown>>>(
  count: number,
  ops: [...Ops],
  warmup = Math.min(300, count),
): Promise<{ [K in keyof Ops]: number[] }> {
  for (let i = 0; i < warmup; i++) for (const op of ops) await op();
  const out = ops.map(() => [] as number[]);
  for (let i = 0; i < count; i++) {
    for (const [k, op] of ops.entries()) {
      const start = process.hrtime.bigint();
      await op();
      out[k]!.push(Number(process.hrtime.bigint() - start) / 1_000);
    }
  }
  return out as { [K in keyof Ops]: number[] };
}

export interface StreamTimes {
  /** Microseconds to the first chunk. */
  first: number[];
  /** Microseconds to the end of the stream. */
  end: number[];
}

/** `timeInterleaved` for streams: each start's time to its first chunk and to its end. */
export async function timeStreams<
  Starts extends Array<() => AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>>,
>(
  count: number,
  starts: [...Starts],
  warmup = Math.min(200, count),
): Promise<{ [K in keyof Starts]: StreamTimes }> {
  const out = starts.map((): StreamTimes => ({ first: [], end: [] }));
  const once = async (start: Starts[number], into?: StreamTimes) => {
    const t0 = process.hrtime.bigint();
    let firstAt: bigint | undefined;
    for await (const _ of await start()) firstAt ??= process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    into?.first.push(Number((firstAt ?? t1) - t0) / 1_000);
    into?.end.push(Number(t1 - t0) / 1_000);
  };
  for (let i = 0; i < warmup; i++) for (const start of starts) await once(start);
  for (let i = 0; i < count; i++) for (const [k, start] of starts.entries()) await once(start, out[k]);
  return out as { [K in keyof Starts]: StreamTimes };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * A figure, beside `base` when given (measured in the same run): `ratio` is value / base, to two
 * decimals. A base of 0 gives no ratio.
 */
export function comparedFigure(name: string, value: number, unit: string, base?: Figure): Figure {
  return {
    name,
    value,
    unit,
    ...(base && base.value > 0 ? { comparedWith: base.name, ratio: round(value / base.value) } : {}),
  };
}

/** Prints figures as one Markdown table (the standalone bench scripts of every package use it). */
export function printFigures(title: string, figures: Figure[]): void {
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
  console.log(`\n${title}, Node ${process.version}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}
