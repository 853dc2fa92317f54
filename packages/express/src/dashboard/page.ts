import { dashboardClient } from "./client.js";

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"'`]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" })[c]!,
  );
}

/** The page's script: the client function's own source, run once (no bundler, no CDN). */
export const PAGE_SCRIPT = `"use strict";\n(${dashboardClient.toString()})();\n`;

/** A small icon, so the browser does not ask the app's root for /favicon.ico. */
export const PAGE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6fb2"/><path d="M4 12V4h4a2.5 2.5 0 0 1 0 5H4m4 0 3 3" stroke="#fff" stroke-width="1.6" fill="none"/></svg>`;

export const PAGE_STYLE = `
:root { color-scheme: light; --fg: #1d232b; --muted: #5d6673; --line: #dfe3e8; --bg: #f6f7f9; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 14px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 20px; }
#source, #updated { color: var(--muted); }
#updated { margin-left: auto; }
main { padding: 16px 24px 48px; max-width: 1400px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 0 0 16px; }
section.two { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
@media (max-width: 900px) { section.two { grid-template-columns: 1fr; } }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: #fbfcfd; }
.card .value { font-size: 20px; font-weight: 600; }
.card .label { color: var(--muted); }
.hint { color: var(--muted); font-size: 12px; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.empty { color: var(--muted); }
td.question, td.matched, td.preview { max-width: 360px; overflow-wrap: anywhere; }
table.detail th { width: 180px; }
pre.answer { white-space: pre-wrap; overflow-wrap: anywhere; background: #f3f5f8; border: 1px solid var(--line); padding: 8px; max-height: 320px; overflow: auto; }
svg { width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--line); }
svg .axis { fill: var(--muted); font-size: 11px; }
.legend span { display: inline-block; margin-right: 14px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: -1px; }
.legend .exact { background: #2f7d32; } .legend .semantic { background: #1f6fb2; } .legend .coalesced { background: #7b4fb0; }
.legend .stale { background: #c98a00; } .legend .misses { background: #b9bec6; } .legend .saved { background: #2f7d32; } .legend .judge { background: #c0392b; }
button { font: inherit; padding: 2px 10px; border: 1px solid #b9bec6; border-radius: 4px; background: #fff; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
button.wrong, button.danger { border-color: #c0392b; color: #c0392b; }
input, select { font: inherit; padding: 2px 6px; }
form, .controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 0 0 8px; }
#error { background: #fdecea; color: #8a1f11; padding: 8px 24px; margin: 0; }
.error { color: #8a1f11; }
.reported { color: var(--muted); }
`;

/** The page, with `title` escaped; everything else comes from the JSON endpoints, as text. */
export function dashboardPage(title: string): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${t}</title>
<link rel="stylesheet" href="app.css">
<link rel="icon" href="favicon.svg" type="image/svg+xml">
</head>
<body>
<header><h1>${t}</h1><span id="source">loading…</span><span id="updated"></span></header>
<p id="error" role="alert" hidden></p>
<main>
<section><div id="totals" class="cards"></div></section>
<section><h2>Namespaces</h2><table id="namespaces"></table></section>
<section>
<h2>Hit rate over time</h2>
<div class="controls"><label>Namespace <select id="series-ns"><option value="(all)">(all)</option></select></label>
<span class="legend"><span><i class="exact"></i>exact</span><span><i class="semantic"></i>semantic</span><span><i class="coalesced"></i>coalesced</span><span><i class="stale"></i>stale</span><span><i class="misses"></i>miss</span></span></div>
<div id="chart-rate"></div>
</section>
<section>
<h2>Money saved and what the judge cost</h2>
<div class="legend"><span><i class="saved"></i>saved by hits</span><span><i class="judge"></i>judge (verifier) cost</span></div>
<div id="chart-saved"></div>
</section>
<section class="two">
<div><h2>Latency: hits and misses</h2><div id="latency"></div></div>
<div><h2>By model <span id="models-scope" class="hint"></span></h2><table id="models"></table></div>
</section>
<section><h2>Latest semantic hits</h2><p class="hint">A wrong hit reported here is never served for that question again (<code>cache.feedback(id, { wrong: true })</code>).</p><table id="semantic-hits"></table></section>
<section class="two">
<div><h2>Guard refusals by rule (this process)</h2><div id="guard"></div></div>
<div><h2>Shadow mode</h2><div id="shadow"></div></div>
</section>
<section>
<h2>Entries</h2>
<form id="search"><input id="q" type="search" placeholder="search question, answer, tag or key" size="40"><input id="entries-ns" placeholder="namespace (any)" size="16"><button type="submit">Search</button><span id="entries-note" class="hint"></span></form>
<table id="entries"></table>
<div id="entry"></div>
<h3>Purge</h3>
<form id="purge"><select id="purge-kind"><option value="tag">tag</option><option value="namespace">namespace</option></select><input id="purge-value" placeholder="tag or namespace"><button type="submit" class="danger">Purge</button><span id="purge-note" class="hint"></span></form>
</section>
</main>
<script src="app.js"></script>
</body>
</html>
`;
}
