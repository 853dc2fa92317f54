import { type DecidedBy, type NamespaceStats, PriceTable } from "@recall/core";
import { count, pct, table, usd } from "./format.js";
import type { Result } from "./report.js";

/** What the demo's verified matching was set to, and what the cache counted of it. */
export interface VerifiedInput {
  /** `off`: no verifier, the threshold alone. */
  mode: "sync" | "async" | "off";
  /** The judge's model (priced as such), e.g. `gpt-4.1-nano`. */
  judgeModel: string;
  /** True when the local upstream answers the judge's prompts from the workload's labels. */
  simulated: boolean;
  /** The model the questions were asked of: hits are priced at its rates. */
  model: string;
  threshold: number;
  band: number;
  /** The learned rule's bound on unverified wrong answers, when set. */
  bound?: number;
  /** The longest list of wordings of one intent in the workload (the most verdicts an entry can get). */
  maxWordings: number;
  stats: Pick<NamespaceStats, "semanticHitsBy" | "verify" | "promotions">;
}

/** Verdicts on an entry before the learned rule may serve it unverified (core's `MIN_OBSERVATIONS`). */
const MIN_VERDICTS = 6;

const fromCache = (r: Result) =>
  r.answer !== undefined && r.answer.status !== "miss" && r.answer.status !== "bypass";

const WHY: Record<VerifiedInput["mode"], string> = {
  sync:
    "Why sync: every question answered upstream is cached under its own wording, so the next ask of a\n" +
    "wording hits exactly whether or not async promotion made it an alias. What a judge can add in this\n" +
    "workload is the first ask of a paraphrase, and only sync serves that one: the request waits for the\n" +
    "judge, still well under a miss. `--verify async` adds no latency to any request but helps only later\n" +
    "asks of a wording; `--verify off` shows the threshold alone.",
  async:
    "Async: a candidate in the band misses now and is judged after its answer is back, so no request waits\n" +
    "for the judge; a wording judged the same becomes an alias of the entry it matched. Here each wording\n" +
    "is also cached under its own words after its miss, so its next ask hits exactly anyway: promotion adds\n" +
    "little or nothing in this workload. `--verify sync` (the default) serves a paraphrase on its first ask.",
  off: "Verified matching is off (`--verify off`): a semantic hit needs the threshold alone.",
};

/**
 * The report's section on verified matching: semantic hits by what let them through, the judge's
 * calls and cost beside what the hits it let through saved, false hits, and the hit rate of
 * paraphrases by quarter of the run.
 */
export function verifiedSection(results: Result[], v: VerifiedInput): string {
  const out: string[] = [];
  const { semanticHitsBy: by, verify, promotions } = v.stats;
  const semantic = results.filter((r) => r.answer?.status === "semantic-hit");
  const judgeName = `llmJudge over ${v.judgeModel}${v.simulated ? ", simulated by the local upstream" : ""}`;
  const band = `[${v.band.toFixed(2)}, ${v.threshold.toFixed(2)})`;
  out.push(
    v.mode === "off"
      ? "Verified matching: off."
      : `Verified matching: ${v.mode}, candidates at cosine ${band} go to the judge (${judgeName}).`,
  );

  if (v.mode !== "off") {
    const prices = new PriceTable();
    const priced = (of: Result[]) => {
      const tokens = {
        inputTokens: of.reduce((a, r) => a + (r.answer!.inputTokens ?? 0), 0),
        outputTokens: of.reduce((a, r) => a + (r.answer!.outputTokens ?? 0), 0),
      };
      const known = prices.priceOf(v.model) !== undefined;
      return { ...tokens, usd: known ? prices.savings(v.model, tokens).usd : undefined };
    };
    const decided = (d: DecidedBy) => semantic.filter((r) => r.answer!.decidedBy === d);
    const rows: Array<[DecidedBy, string]> = [
      ["threshold", `threshold (cosine >= ${v.threshold}, no judge)`],
      ["verifier", "verifier (the judge said same, on the request)"],
      ["alias", "alias (a wording the judge approved earlier)"],
      [
        "learned",
        v.bound === undefined
          ? "learned (off: no bound set)"
          : `learned (the entry's evidence, bound ${100 * v.bound}%, no judge)`,
      ],
    ];
    out.push("\nSemantic hits by what let them through:\n");
    out.push(
      table(
        ["decided by", "hits", "paraphrases", "tokens saved (in + out)", `saved at ${v.model}`],
        rows.map(([d, label]) => {
          const of = decided(d);
          const s = priced(of);
          return [
            label,
            count(by[d]),
            String(of.filter((r) => r.item.kind === "paraphrase").length),
            `${count(s.inputTokens)} + ${count(s.outputTokens)}`,
            usd(s.usd),
          ];
        }),
      ),
    );

    const onRequest = semantic.filter(
      (r) => r.answer!.decidedBy === "verifier" || r.answer!.decidedBy === "learned",
    );
    const throughAlias = decided("alias");
    const servedCost = (label: string, of: Result[]) => {
      const s = priced(of);
      return [label, count(of.length), count(s.inputTokens), count(s.outputTokens), usd(s.usd)];
    };
    out.push("\nThe judge's cost beside what hits saved:\n");
    out.push(
      table(
        ["", "requests", "input tokens", "output tokens", "USD"],
        [
          [
            `judge calls (${v.judgeModel}): ${verify.same} same, ${verify.different} different, ${verify.unsure} unsure`,
            count(verify.calls),
            count(verify.cost.inputTokens),
            count(verify.cost.outputTokens),
            usd(verify.cost.usd),
          ],
          servedCost("saved by hits decided on the request (verifier, learned)", onRequest),
          servedCost("saved by alias hits (later asks of an approved wording)", throughAlias),
          servedCost("saved by every answer from cache", results.filter(fromCache)),
        ],
      ),
    );
    const lines: string[] = [];
    if (verify.calls > 0)
      lines.push(
        `The judge took ${Math.round(verify.ms / verify.calls)} ms a call on average (${verify.failed} failed or timed out, each a miss); ${count(promotions)} wording(s) became aliases.`,
      );
    const gained = priced(onRequest).usd;
    if (gained !== undefined && gained > 0 && verify.cost.usd > 0)
      lines.push(
        `The hits decided on the request saved ${(gained / verify.cost.usd).toFixed(1)}x what the judge cost. Alias hits are left out of that:\n` +
          "they repeat a wording the judge approved, which exact matching answers too once the wording is cached.",
      );
    if (v.bound !== undefined && by.learned === 0)
      lines.push(
        `No learned hits: an entry is served unverified only after ${MIN_VERDICTS} verdicts on it, and an intent here has at most ${v.maxWordings} wordings.`,
      );
    const falseSemantic = semantic.filter((r) => r.falseHit).length;
    lines.push(
      `False hits among semantic hits: ${falseSemantic} of ${semantic.length}${v.simulated ? "" : " (each answer judged by the intent of the question it was fetched for)"}.`,
    );
    if (v.simulated)
      lines.push(
        "This judge is simulated: no local model can judge paraphrases here, so the local upstream answers\n" +
          "llmJudge's prompts from the workload's labels (do the <new_question> and the <cached_question>\n" +
          "share an intent?). It is never wrong; its token use is the real prompt's. Set OPENAI_API_KEY for\n" +
          "a real judge, whose mistakes would show as false hits above.",
      );
    out.push(`\n${lines.join("\n")}`);
  }
  out.push(`\n${WHY[v.mode]}`);
  out.push(`\n${paraphrasesByQuarter(results)}`);
  return out.join("\n");
}

/** Paraphrases (first asks of a wording whose intent was asked before) answered from cache, per quarter of the run. */
export function paraphrasesByQuarter(results: Result[]): string {
  const n = results.length;
  const names = ["1st", "2nd", "3rd", "4th"];
  const rows = names.map((name, q) => {
    const from = Math.floor((q * n) / 4);
    const to = Math.floor(((q + 1) * n) / 4);
    const of = results.slice(from, to).filter((r) => r.item.kind === "paraphrase");
    const cached = of.filter(fromCache);
    const by = (d: DecidedBy) => String(cached.filter((r) => r.answer!.decidedBy === d).length);
    return [
      name,
      to > from ? `${from + 1}-${to}` : "–",
      String(of.length),
      String(cached.length),
      pct(cached.length, of.length),
      by("threshold"),
      by("verifier"),
      by("alias"),
      by("learned"),
    ];
  });
  const lines = [
    "Paraphrases (first asks of a new wording of an intent asked before) by quarter of the run:\n",
    table(
      [
        "quarter",
        "questions",
        "paraphrases",
        "from cache",
        "hit rate",
        "threshold",
        "verifier",
        "alias",
        "learned",
      ],
      rows,
    ),
  ];
  const half = (from: number, to: number) => {
    const of = results.slice(from, to).filter((r) => r.item.kind === "paraphrase");
    const cached = of.filter(fromCache).length;
    return `${cached} of ${of.length} from cache (${pct(cached, of.length)})`;
  };
  lines.push(
    `\nFirst half of the run: ${half(0, Math.floor(n / 2))}; second half: ${half(Math.floor(n / 2), n)}.`,
    "A paraphrase misses when no cached wording of its intent is within the band (or the guard refuses\n" +
      "it), or when it arrives while its intent's first answer is still being fetched, most often early in\n" +
      "the run. The run opens with each intent's first question, and later quarters hold fewer paraphrases:\n" +
      "by then most wordings have been asked, and asking one again is a repeat.",
  );
  return lines.join("\n");
}
