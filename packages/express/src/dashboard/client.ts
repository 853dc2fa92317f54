/**
 * The dashboard page's script. It runs in the browser: `page.ts` serves this function's source,
 * so it must use nothing from outside its own body (no imports, no module-level values; types are
 * fine, they are erased: the page reads the server's own types). Every text from the cache is set
 * with `textContent`, never as HTML.
 */
import type { EntryDetail, EntrySummary } from "./entries.js";
import type { ModelCounts, PointCounts, RejectRecord, SemanticHitRecord, SeriesPoint } from "./recorder.js";
import type { LatencyFigure } from "./stats-source.js";

interface Savings {
  inputTokens: number;
  outputTokens: number;
  usd: number;
}
interface NsStats {
  hits: number;
  semanticHits: number;
  coalesced: number;
  stale: number;
  graced: number;
  misses: number;
  bypasses: number;
  stores: number;
  semanticRejects: number;
  hitRate: number;
  saved: Savings;
  verify: { calls: number; same: number; different: number; unsure: number; failed: number; cost: Savings };
  semanticHitsBy: Record<string, number>;
  feedback: { wrong: number; right: number };
  shadow: {
    candidates: number;
    wouldHit: number;
    judgedSame: number;
    judgedDifferent: number;
    answersAgree: number;
    wouldSave: Savings;
  };
}
interface State {
  title: string;
  now: number;
  intervalMs: number;
  source: { label: string; fleet: boolean; note: string | null };
  semantic: { mode: string; threshold: number | null };
  stats: { total: NsStats; namespaces: Record<string, NsStats> };
  latency: {
    scope: string;
    hitsTimed: boolean;
    missesTimed: boolean;
    hits: LatencyFigure;
    byKind: Record<string, LatencyFigure>;
    misses: LatencyFigure;
  };
  models: {
    scope: string;
    rows: ModelCounts[];
  };
  semanticHits: SemanticHitRecord[];
  guard: {
    byRule: Array<{ rule: string; count: number }>;
    latest: RejectRecord[];
  };
}
type Child = Node | string | number | null | undefined | false;

export function dashboardClient(): void {
  const KINDS = ["exact", "semantic", "coalesced", "stale", "misses"] as const;
  const COLORS: Record<string, string> = {
    exact: "#2f7d32",
    semantic: "#1f6fb2",
    coalesced: "#7b4fb0",
    stale: "#c98a00",
    misses: "#b9bec6",
  };
  const SVG = "http://www.w3.org/2000/svg";
  let points: SeriesPoint[] = [];
  let lastAt = 0;
  let intervalMs = 5000;

  const byId = (id: string) => document.getElementById(id) as HTMLElement;
  function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "object" ? child : String(child));
    }
    return node;
  }
  function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    return node;
  }
  function fill(id: string, ...children: Child[]): void {
    const node = byId(id);
    node.replaceChildren();
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "object" ? child : String(child));
    }
  }
  const int = (n: number) => Math.round(n).toLocaleString("en-US");
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const usd = (n: number) => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
  const ms = (n: number) => (n < 10 ? `${n.toFixed(2)} ms` : `${Math.round(n)} ms`);
  const time = (at: number) => new Date(at).toLocaleTimeString();
  const date = (at: number) => new Date(at).toLocaleString();
  function table(head: string[], rows: HTMLElement[], empty: string): HTMLElement[] {
    const thead = el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h))));
    const body = rows.length
      ? rows
      : [el("tr", {}, el("td", { colspan: String(head.length), class: "empty" }, empty))];
    return [thead, el("tbody", {}, ...body)];
  }
  function fillTable(id: string, head: string[], rows: HTMLElement[], empty: string): void {
    fill(id, ...table(head, rows, empty));
  }
  function showError(message: string | null): void {
    const box = byId("error");
    box.hidden = message === null;
    box.textContent = message ?? "";
  }

  async function call<T>(path: string, body?: unknown): Promise<T> {
    const init: RequestInit =
      body === undefined
        ? {}
        : {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body),
          };
    const res = await fetch(path, { ...init, cache: "no-store", credentials: "same-origin" });
    const data = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!res.ok) throw new Error(data.error?.message ?? `${res.status} ${res.statusText}`);
    return data as T;
  }

  function served(s: NsStats): number {
    return s.hits + s.semanticHits + s.coalesced + s.stale;
  }
  function lookups(s: NsStats): number {
    return served(s) + s.misses - s.graced;
  }

  function renderTotals(state: State): void {
    const t = state.stats.total;
    const card = (label: string, value: string, id: string, hint?: string) =>
      el(
        "div",
        { class: "card", "data-testid": id },
        el("div", { class: "value" }, value),
        el("div", { class: "label" }, label),
        hint ? el("div", { class: "hint" }, hint) : null,
      );
    fill(
      "totals",
      card("hit rate", pct(t.hitRate), "total-hit-rate", `${int(served(t))} of ${int(lookups(t))} lookups`),
      card("exact hits", int(t.hits), "total-exact"),
      card("semantic hits", int(t.semanticHits), "total-semantic"),
      card("coalesced", int(t.coalesced), "total-coalesced"),
      card("stale", int(t.stale), "total-stale"),
      card("misses", int(t.misses), "total-misses"),
      card("upstream calls avoided", int(served(t) - t.graced), "total-avoided"),
      card(
        "tokens saved",
        int(t.saved.inputTokens + t.saved.outputTokens),
        "total-tokens",
        `${int(t.saved.inputTokens)} in, ${int(t.saved.outputTokens)} out`,
      ),
      card("money saved", usd(t.saved.usd), "total-usd"),
      card("judge cost", usd(t.verify.cost.usd), "total-judge", `${int(t.verify.calls)} verifier calls`),
    );
    const src = state.source;
    fill(
      "source",
      `Figures: ${src.label}${src.fleet ? " (every instance)" : ""}. `,
      src.note ? el("strong", {}, src.note) : null,
      ` Semantic matching: ${state.semantic.mode}${state.semantic.threshold === null ? "" : `, threshold ${state.semantic.threshold}`}.`,
    );
    fill("updated", `updated ${time(state.now)}, every ${Math.round(state.intervalMs / 1000)} s`);
  }

  function renderNamespaces(state: State): void {
    const names = Object.keys(state.stats.namespaces).sort();
    const rows = names.map((name) => {
      const s = state.stats.namespaces[name]!;
      const cell = (cls: string, value: string) => el("td", { class: `num ${cls}` }, value);
      return el(
        "tr",
        { "data-namespace": name },
        el("td", {}, name),
        cell("lookups", int(lookups(s))),
        cell("exact", int(s.hits)),
        cell("semantic", int(s.semanticHits)),
        cell("coalesced", int(s.coalesced)),
        cell("stale", int(s.stale)),
        cell("misses", int(s.misses)),
        cell("hit-rate", pct(s.hitRate)),
        cell("tokens", int(s.saved.inputTokens + s.saved.outputTokens)),
        cell("usd", usd(s.saved.usd)),
        cell("judge", usd(s.verify.cost.usd)),
        cell("wrong", int(s.feedback.wrong)),
      );
    });
    fillTable(
      "namespaces",
      [
        "namespace",
        "lookups",
        "exact",
        "semantic",
        "coalesced",
        "stale",
        "misses",
        "hit rate",
        "tokens saved",
        "saved",
        "judge cost",
        "reported wrong",
      ],
      rows,
      "No lookups yet.",
    );
    const select = byId("series-ns") as HTMLSelectElement;
    const chosen = select.value;
    const options = ["(all)", ...names];
    if (Array.from(select.options, (o) => o.value).join("\n") !== options.join("\n")) {
      select.replaceChildren(...options.map((n) => el("option", { value: n }, n)));
      select.value = options.includes(chosen) ? chosen : "(all)";
    }
  }

  function countsOf(point: SeriesPoint, ns: string): PointCounts | undefined {
    return ns === "(all)" ? point.total : point.namespaces[ns];
  }

  /** The spacing of the points (a source's buckets may be a minute, not the polling interval). */
  function stepLabel(): string {
    const n = points.length;
    const step = n > 1 ? (points[n - 1]!.at - points[0]!.at) / (n - 1) : intervalMs;
    return step >= 60_000 ? `${Math.round(step / 60_000)} min` : `${Math.max(1, Math.round(step / 1000))} s`;
  }

  function renderRateChart(): void {
    const ns = (byId("series-ns") as HTMLSelectElement).value || "(all)";
    const width = 900;
    const height = 180;
    const chart = svg("svg", {
      viewBox: `0 0 ${width} ${height + 20}`,
      role: "img",
      "aria-label": "hit rate per interval",
    });
    const bars: Array<{ at: number; parts: Record<string, number>; total: number }> = [];
    for (let i = 1; i < points.length; i++) {
      const a = countsOf(points[i - 1]!, ns);
      const b = countsOf(points[i]!, ns);
      if (!b) continue;
      const parts: Record<string, number> = {};
      let total = 0;
      for (const k of KINDS) {
        const d = Math.max(0, b[k] - (a ? a[k] : 0));
        parts[k] = d;
        total += d;
      }
      bars.push({ at: points[i]!.at, parts, total });
    }
    const shown = bars.slice(-120);
    const step = width / Math.max(shown.length, 30);
    shown.forEach((bar, i) => {
      let y = height;
      const group = svg("g", {});
      const title = svg("title", {});
      title.textContent = `${time(bar.at)}: ${KINDS.map((k) => `${k} ${bar.parts[k]}`).join(", ")}`;
      group.append(title);
      for (const k of KINDS) {
        if (!bar.total || !bar.parts[k]) continue;
        const h = (bar.parts[k]! / bar.total) * height;
        y -= h;
        group.append(
          svg("rect", { x: i * step + 1, y, width: Math.max(step - 2, 1), height: h, fill: COLORS[k]! }),
        );
      }
      chart.append(group);
    });
    for (const [frac, label] of [
      [0, "0%"],
      [0.5, "50%"],
      [1, "100%"],
    ] as const) {
      const y = height - frac * height;
      chart.append(svg("line", { x1: 0, x2: width, y1: y, y2: y, class: "grid" }));
      const text = svg("text", { x: 2, y: Math.max(y - 2, 10), class: "axis" });
      text.textContent = label;
      chart.append(text);
    }
    const note = svg("text", { x: width - 4, y: height + 16, class: "axis", "text-anchor": "end" });
    note.textContent = shown.length
      ? `share of lookups per ${stepLabel()} interval, ${time(shown[0]!.at)} to ${time(shown[shown.length - 1]!.at)}`
      : "waiting for two samples…";
    chart.append(note);
    fill("chart-rate", chart);
  }

  function renderSavedChart(): void {
    const width = 900;
    const height = 160;
    const chart = svg("svg", {
      viewBox: `0 0 ${width} ${height + 20}`,
      role: "img",
      "aria-label": "money saved and judge cost over time",
    });
    const shown = points.slice(-240);
    const max = Math.max(1e-9, ...shown.map((p) => Math.max(p.total.usd, p.total.judgeUsd)));
    const line = (value: (p: SeriesPoint) => number, color: string) => {
      if (shown.length < 1) return;
      const x = (i: number) => (shown.length === 1 ? width / 2 : (i / (shown.length - 1)) * width);
      const d = shown
        .map(
          (p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${(height - (value(p) / max) * height).toFixed(1)}`,
        )
        .join(" ");
      chart.append(svg("path", { d, stroke: color, fill: "none", "stroke-width": 2 }));
    };
    chart.append(svg("line", { x1: 0, x2: width, y1: height, y2: height, class: "grid" }));
    line((p) => p.total.usd, "#2f7d32");
    line((p) => p.total.judgeUsd, "#c0392b");
    const top = svg("text", { x: 2, y: 12, class: "axis" });
    top.textContent = usd(max);
    chart.append(top);
    const last = shown[shown.length - 1];
    const note = svg("text", { x: width - 4, y: height + 16, class: "axis", "text-anchor": "end" });
    note.textContent = last
      ? `cumulative: saved ${usd(last.total.usd)} (${int(last.total.inputTokens + last.total.outputTokens)} tokens), judge ${usd(last.total.judgeUsd)}`
      : "waiting for a sample…";
    chart.append(note);
    fill("chart-saved", chart);
  }

  function renderLatency(state: State): void {
    const l = state.latency;
    const row = (name: string, f: LatencyFigure, timed: boolean) =>
      el(
        "tr",
        { "data-kind": name },
        el("td", {}, name),
        el("td", { class: "num" }, timed ? int(f.count) : "–"),
        el("td", { class: "num" }, timed && f.count ? ms(f.p50) : "–"),
        el("td", { class: "num" }, timed && f.count ? ms(f.p95) : "–"),
      );
    const rows = [
      row("all hits", l.hits, l.hitsTimed),
      ...Object.entries(l.byKind).map(([k, f]) => row(`  ${k}`, f, l.hitsTimed)),
      row("misses (to the stored answer)", l.misses, l.missesTimed),
    ];
    const notes: string[] = [];
    if (!l.hitsTimed)
      notes.push("No durations on hit events yet: this engine's events carry none, or no hit was served.");
    if (!l.missesTimed)
      notes.push("No miss timed yet (a miss is timed from its lookup to its stored answer).");
    notes.push(`Lookups of ${l.scope}.`);
    fill(
      "latency",
      el("table", {}, ...table(["", "count", "p50", "p95"], rows, "")),
      ...notes.map((n) => el("p", { class: "hint" }, n)),
    );
  }

  function renderModels(state: State): void {
    fill("models-scope", `(${state.models.scope})`);
    fillTable(
      "models",
      ["namespace", "model", "exact", "semantic", "coalesced", "stale", "misses"],
      state.models.rows.map((m) =>
        el(
          "tr",
          {},
          el("td", {}, m.namespace),
          el("td", {}, m.model),
          el("td", { class: "num" }, int(m.exact)),
          el("td", { class: "num" }, int(m.semantic)),
          el("td", { class: "num" }, int(m.coalesced)),
          el("td", { class: "num" }, int(m.stale)),
          el("td", { class: "num" }, int(m.misses)),
        ),
      ),
      "No lookups in this process yet.",
    );
  }

  function renderSemanticHits(state: State): void {
    const rows = state.semanticHits.slice(0, 20).map((hit) => {
      const button = el(
        "button",
        { type: "button", class: "wrong", "data-id": hit.id },
        "wrong hit",
      ) as HTMLButtonElement;
      const status = el("span", { class: "reported" }, hit.reported ? `reported ${hit.reported}` : "");
      if (hit.reported) button.disabled = true;
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const result = await call<{ action: string }>("api/feedback", { id: hit.id, wrong: true });
          status.textContent = `reported wrong (${result.action})`;
        } catch (error) {
          button.disabled = false;
          status.textContent = `failed: ${(error as Error).message}`;
        }
      });
      return el(
        "tr",
        { class: "semantic-hit" },
        el("td", {}, time(hit.at)),
        el("td", {}, hit.namespace),
        el("td", { class: "question" }, hit.question),
        el("td", { class: "matched" }, hit.matchedQuestion),
        el("td", { class: "num" }, hit.similarity.toFixed(4)),
        el("td", {}, hit.decidedBy),
        el("td", {}, button, " ", status),
      );
    });
    fillTable(
      "semantic-hits",
      ["time", "namespace", "question asked", "matched question", "similarity", "decided by", ""],
      rows,
      "No semantic hits yet.",
    );
  }

  function renderGuard(state: State): void {
    const { byRule, latest } = state.guard;
    fill(
      "guard",
      el(
        "table",
        {},
        ...table(
          ["rule", "refusals"],
          byRule.map((r) => el("tr", {}, el("td", {}, r.rule), el("td", { class: "num" }, int(r.count)))),
          "No candidate refused by the guard.",
        ),
      ),
      latest.length
        ? el(
            "details",
            {},
            el("summary", {}, `latest ${latest.length}`),
            el(
              "ul",
              {},
              ...latest.map((r) =>
                el(
                  "li",
                  {},
                  `${time(r.at)} ${r.namespace}: ${r.reason} (similarity ${r.similarity.toFixed(3)}, candidate “${r.candidate}”)`,
                ),
              ),
            ),
          )
        : null,
    );
    const sh = state.stats.total.shadow;
    const judged = sh.judgedSame + sh.judgedDifferent;
    fill(
      "shadow",
      state.semantic.mode === "shadow"
        ? el(
            "p",
            {},
            "Shadow mode is on: exact hits only are served; below is what semantic matching would have done.",
          )
        : el(
            "p",
            { class: "hint" },
            `Semantic mode is ${state.semantic.mode}; these figures fill in shadow mode.`,
          ),
      el(
        "table",
        {},
        ...table(
          ["", ""],
          [
            ["candidates examined", int(sh.candidates)],
            ["would have hit", int(sh.wouldHit)],
            ["judged same / different", `${int(sh.judgedSame)} / ${int(sh.judgedDifferent)}`],
            ["estimated precision", judged ? pct(sh.judgedSame / judged) : "–"],
            ["cached answer = fresh answer", int(sh.answersAgree)],
            [
              "would have saved",
              `${usd(sh.wouldSave.usd)} (${int(sh.wouldSave.inputTokens + sh.wouldSave.outputTokens)} tokens)`,
            ],
          ].map(([k, v]) => el("tr", {}, el("td", {}, k!), el("td", { class: "num" }, v!))),
          "",
        ),
      ),
    );
  }

  async function refresh(): Promise<void> {
    try {
      const [state, series] = await Promise.all([
        call<State>("api/state"),
        // From just before the last point: a source's newest bucket may still be filling.
        call<{ intervalMs: number; points: SeriesPoint[] }>(`api/series?since=${Math.max(0, lastAt - 1)}`),
      ]);
      intervalMs = state.intervalMs;
      const first = series.points[0];
      if (first) points = points.filter((p) => p.at < first.at);
      points = points.concat(series.points).slice(-2000);
      if (points.length) lastAt = points[points.length - 1]!.at;
      renderTotals(state);
      renderNamespaces(state);
      renderRateChart();
      renderSavedChart();
      renderLatency(state);
      renderModels(state);
      renderSemanticHits(state);
      renderGuard(state);
      showError(null);
      document.body.dataset.loaded = "true";
    } catch (error) {
      showError(`Could not refresh: ${(error as Error).message}`);
    }
    setTimeout(() => void refresh(), intervalMs);
  }

  async function searchEntries(): Promise<void> {
    const q = (byId("q") as HTMLInputElement).value;
    const ns = (byId("entries-ns") as HTMLInputElement).value;
    const params = new URLSearchParams({ q, namespace: ns, limit: "25" });
    try {
      const found = await call<{ entries: EntrySummary[]; scanned: number; truncated: boolean }>(
        `api/entries?${params}`,
      );
      const rows = found.entries.map((e) => {
        const inspect = el("button", { type: "button" }, "inspect");
        inspect.addEventListener("click", () => void inspectEntry(e.key));
        return el(
          "tr",
          { class: "entry" },
          el("td", { class: "question" }, e.question ?? "(no question: exact only)"),
          el("td", {}, e.namespace),
          el("td", {}, e.model),
          el("td", {}, e.tags.join(", ")),
          el("td", {}, date(e.createdAt)),
          el("td", {}, e.expiresAt === undefined ? "never" : date(e.expiresAt)),
          el("td", { class: "preview" }, e.preview),
          el("td", {}, inspect),
        );
      });
      fillTable(
        "entries",
        ["question", "namespace", "model", "tags", "created", "expires", "answer", ""],
        rows,
        "No entry matches.",
      );
      fill(
        "entries-note",
        `${found.entries.length} shown, ${found.scanned} read${found.truncated ? " (more match: narrow the search)" : ""}.`,
      );
    } catch (error) {
      fill("entries-note", `Search failed: ${(error as Error).message}`);
    }
  }

  async function inspectEntry(key: string): Promise<void> {
    try {
      const { entry } = await call<{ entry: EntryDetail }>(`api/entry?key=${encodeURIComponent(key)}`);
      const del = el("button", { type: "button", class: "danger" }, "delete this entry");
      del.addEventListener("click", async () => {
        if (!confirm("Delete this entry? The next ask of its question goes upstream.")) return;
        try {
          await call("api/delete", { key: entry.key });
          fill("entry", el("p", {}, "Deleted."));
          void searchEntries();
        } catch (error) {
          fill("entry", el("p", { class: "error" }, `Delete failed: ${(error as Error).message}`));
        }
      });
      const field = (name: string, value: Child) => el("tr", {}, el("th", {}, name), el("td", {}, value));
      fill(
        "entry",
        el("h3", {}, entry.question ?? "(no question)"),
        el(
          "table",
          { class: "detail" },
          el(
            "tbody",
            {},
            field("key", el("code", {}, entry.key)),
            field("namespace", entry.namespace),
            field("model", entry.model),
            field("tags", entry.tags.join(", ") || "none"),
            field("created", date(entry.createdAt)),
            field("TTL", entry.ttl === undefined ? "none" : `${Math.round(entry.ttl / 1000)} s`),
            field(
              "expires",
              entry.expiresAt === undefined
                ? "never"
                : `${date(entry.expiresAt)}${entry.expired ? " (expired)" : ""}`,
            ),
            field("kept until", entry.keepUntil === undefined ? "–" : date(entry.keepUntil)),
            field(
              "aliases",
              entry.aliases.length ? el("ul", {}, ...entry.aliases.map((a) => el("li", {}, a))) : "none",
            ),
            field("questions reported wrong", int(entry.refused)),
            field("own threshold", entry.threshold === undefined ? "–" : String(entry.threshold)),
            field("observations", int(entry.observations)),
            field("finish reason", entry.finishReason ?? "–"),
            field(
              "usage",
              entry.usage
                ? `${entry.usage.inputTokens ?? "?"} in, ${entry.usage.outputTokens ?? "?"} out`
                : "–",
            ),
          ),
        ),
        el("pre", { class: "answer" }, entry.answer + (entry.answerTruncated ? "\n…(cut)" : "")),
        del,
      );
    } catch (error) {
      fill("entry", el("p", { class: "error" }, `Could not read the entry: ${(error as Error).message}`));
    }
  }

  async function purge(event: Event): Promise<void> {
    event.preventDefault();
    const kind = (byId("purge-kind") as HTMLSelectElement).value;
    const value = (byId("purge-value") as HTMLInputElement).value.trim();
    if (!value) return fill("purge-note", `Give the ${kind} to purge.`);
    if (!confirm(`Delete every entry of the ${kind} “${value}”?`)) return;
    try {
      const result = await call<{ purged: number }>("api/purge", { [kind]: value });
      fill("purge-note", `Purged ${result.purged} entries.`);
      void searchEntries();
    } catch (error) {
      fill("purge-note", `Purge failed: ${(error as Error).message}`);
    }
  }

  byId("series-ns").addEventListener("change", renderRateChart);
  byId("search").addEventListener("submit", (event) => {
    event.preventDefault();
    void searchEntries();
  });
  byId("purge").addEventListener("submit", (event) => void purge(event));
  void refresh();
  void searchEntries();
}
