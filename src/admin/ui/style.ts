// The web UI's stylesheet: system fonts only (the page must work offline),
// one accent colour, tables with right-aligned tabular numbers, laid out to
// fit a 1280x800 window without horizontal scrolling.
export const UI_CSS = String.raw`
:root {
  --bg: #f5f6f8;
  --panel: #ffffff;
  --ink: #1d2430;
  --muted: #677184;
  --line: #dfe3ea;
  --head: #1f2a37;
  --accent: #d9541e;
  --accent-dark: #b8461a;
  --ok: #1d7a46;
  --ok-bg: #e5f5ec;
  --err: #b42318;
  --err-bg: #fdecea;
  --zebra: #fafbfc;
  --hover: #f1f5fb;
}
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink);
  background: var(--bg);
}
a { color: var(--accent-dark); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
h1 { font-size: 20px; margin: 0 0 12px; font-weight: 600; }
h2 { font-size: 15px; margin: 0 0 10px; font-weight: 600; }
.hidden { display: none !important; }
.muted { color: var(--muted); }

/* top bar and tabs */
header.top {
  display: flex; align-items: center; gap: 16px;
  background: var(--head); color: #e8edf3;
  padding: 0 20px; height: 48px;
}
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 16px; letter-spacing: .3px; }
.logo {
  width: 26px; height: 26px; border-radius: 6px; background: var(--accent);
  display: inline-flex; align-items: center; justify-content: center;
  color: #fff; font-weight: 800; font-size: 15px;
}
.node-info { color: #9fb0c3; font-size: 12.5px; }
.spacer { flex: 1; }
header.top label { color: #c3cfdc; font-size: 12.5px; display: flex; align-items: center; gap: 6px; }
header.top select {
  background: #2c3a4b; color: #e8edf3; border: 1px solid #3d4d61; border-radius: 4px;
  padding: 3px 6px; font-size: 13px; height: 28px;
}
.who { font-size: 13px; color: #c3cfdc; }
.who b { color: #fff; }
header.top button { background: transparent; color: #e8edf3; border: 1px solid #4a5b70; }
header.top button:hover { background: #2c3a4b; }
nav.tabs {
  display: flex; gap: 2px; padding: 0 20px;
  background: var(--panel); border-bottom: 1px solid var(--line);
}
nav.tabs a {
  padding: 11px 14px 9px; color: var(--muted); font-weight: 500;
  border-bottom: 3px solid transparent;
}
nav.tabs a:hover { color: var(--ink); text-decoration: none; }
nav.tabs a.active { color: var(--ink); border-bottom-color: var(--accent); }
main { padding: 14px 20px 16px; max-width: 1600px; margin: 0 auto; }

/* panels, cards and forms */
.panel {
  background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 14px 16px; margin-bottom: 16px;
}
.panel > h2 { display: flex; align-items: baseline; gap: 10px; }
.panel > h2 .count, .panel > h2 .updated { color: var(--muted); font-weight: 400; font-size: 13px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; align-items: start; }
.grid2 > .panel { margin-bottom: 0; }
.stack > * + * { margin-top: 16px; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 12px; }
.stats.wide { grid-template-columns: repeat(8, 1fr); }
.stats.cols3 { grid-template-columns: repeat(3, 1fr); }
.stats.cols5 { grid-template-columns: repeat(5, 1fr); }
.split { display: grid; grid-template-columns: 3fr 5fr; gap: 16px; }
.stat {
  background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px;
}
.stat .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
.stat .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat .value small { font-size: 13px; color: var(--muted); font-weight: 400; margin-left: 2px; }
.section-title { font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .5px; margin: 18px 0 8px; }

form.inline { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px 12px; }
.field { display: flex; flex-direction: column; gap: 3px; }
.field > span { font-size: 12px; color: var(--muted); }
.check { display: flex; align-items: center; gap: 5px; font-size: 13px; padding-bottom: 6px; }
input[type=text], input[type=password], input[type=number], select, textarea {
  font: inherit; font-size: 13.5px; color: var(--ink);
  border: 1px solid #c9d0da; border-radius: 5px; padding: 5px 8px; background: #fff;
}
input:focus, select:focus, textarea:focus { outline: 2px solid #f3b595; outline-offset: 0; border-color: var(--accent); }
input[type=text], input[type=password], input[type=number], select { height: 32px; }
input[type=number] { width: 80px; }
textarea { width: 100%; min-height: 90px; resize: vertical; font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
button {
  font: inherit; font-size: 13px; font-weight: 500; cursor: pointer;
  border-radius: 5px; padding: 5px 12px; border: 1px solid #c9d0da; background: #fff; color: var(--ink);
}
button:hover { background: #f0f2f5; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover { background: var(--accent-dark); }
button.danger { color: var(--err); border-color: #efb8b2; }
button.danger:hover { background: var(--err-bg); }
button.small { padding: 2px 8px; font-size: 12px; }
button:disabled { opacity: .55; cursor: default; }
.actions { display: flex; gap: 6px; justify-content: flex-end; white-space: nowrap; }

.msg { font-size: 13px; padding: 6px 10px; border-radius: 5px; margin-top: 10px; white-space: pre-line; }
.msg:empty { display: none; }
.msg.error { color: var(--err); background: var(--err-bg); }
.msg.ok { color: var(--ok); background: var(--ok-bg); }
.banner { margin: 0 0 14px; }

/* tables */
.table-wrap { overflow-x: auto; }
table.list { width: 100%; border-collapse: collapse; font-size: 13px; }
table.list th {
  text-align: left; font-weight: 600; color: var(--muted); font-size: 12px;
  padding: 6px 8px; border-bottom: 2px solid var(--line); white-space: nowrap; background: #fbfbfc;
}
table.list td { padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
table.list tbody tr:nth-child(even) td { background: var(--zebra); }
table.list tbody tr:hover td { background: var(--hover); }
.paged table.list td { padding: 3px 8px; }
.paged table.list th { padding: 4px 8px; }
.paged table.list button.small { padding: 0 7px; line-height: 18px; }
table.list .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.list th.num { text-align: right; }
table.list td.empty { text-align: center; color: var(--muted); padding: 16px; }
table.list td.name { font-weight: 500; word-break: break-all; }
table.list tr.group th { border-bottom: 0; padding-bottom: 0; text-align: center; font-weight: 500; }
table.kv { border-collapse: collapse; font-size: 13px; }
table.kv th { text-align: left; color: var(--muted); font-weight: 500; padding: 3px 16px 3px 0; vertical-align: top; white-space: nowrap; }
table.kv td { padding: 3px 0; }
table.kv td.num { font-variant-numeric: tabular-nums; }
.kv-lines > div { line-height: 1.6; }
.kv-lines .overridden > .mono { text-decoration: line-through; color: var(--muted); }

/* policies */
.policy-form > * + *, .shovel-form > * + * { margin-top: 10px; }
.policy-form .inline, .shovel-form .inline { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px 12px; }
textarea.definition { min-height: 84px; max-width: 640px; }
.key-buttons { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; font-size: 12.5px; }
p.note { margin: 8px 0 0; font-size: 12.5px; }

.badge {
  display: inline-block; font-size: 11px; font-weight: 600; line-height: 16px;
  padding: 0 5px; border-radius: 3px; background: #e8ecf2; color: #3b4658; margin-right: 3px;
}
.badge.d { background: #e4eefc; color: #1f4f8f; }
.badge.ad { background: #fbeee1; color: #8a4b12; }
.badge.x { background: #f1e6fb; color: #5e2d91; }
.badge.i { background: #e7f4ee; color: #1d6b44; }
.badge.pol { background: #fdf0e8; color: #9a3d14; }
.state { display: inline-flex; align-items: center; gap: 5px; }
.state::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #9aa4b2; }
.state.running::before, .state.idle::before { background: #2f9e5b; }
.state.blocked::before, .state.blocking::before, .state.flow::before { background: #d99a1e; }
.state.crashed::before, .state.down::before, .state.terminated::before { background: var(--err); }
.state.starting::before { background: #d99a1e; }

/* charts */
.chart svg { display: block; width: 100%; height: 150px; }
.chart .axis { stroke: var(--line); stroke-width: 1; }
.chart .tick { fill: var(--muted); font-size: 10px; }
.chart polyline { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 6px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }

/* fetched messages */
.messages-scroll { max-height: 430px; overflow: auto; margin-top: 10px; border: 1px solid var(--line); border-radius: 6px; }
.messages-scroll table.list th { position: sticky; top: 0; }
td.payload-cell pre {
  margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 110px; overflow: auto;
}
table.list td.props { font-size: 12px; color: var(--muted); width: 42%; word-break: break-all; }

/* login */
.login-wrap { min-height: 100vh; display: flex; align-items: center; justify-content: center; }
.login {
  width: 340px; background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  padding: 26px 28px; box-shadow: 0 6px 24px rgba(20, 30, 45, .08);
}
.login .brand { color: var(--ink); margin-bottom: 18px; font-size: 18px; }
.login .field { margin-bottom: 12px; }
.login input { width: 100%; padding: 7px 9px; }
.login button { width: 100%; padding: 8px; margin-top: 4px; }
.crumbs { font-size: 13px; color: var(--muted); margin-bottom: 6px; }
.title-row { display: flex; align-items: center; gap: 12px; margin-bottom: 12px; }
.title-row h1 { margin: 0; }
.title-row h1 .mono { font-size: inherit; font-weight: 600; }
.title-row .actions { margin-left: auto; }
.updated { font-size: 12px; color: var(--muted); }

/* paged lists */
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin-bottom: 8px; }
.toolbar input[type=search] {
  font: inherit; font-size: 13px; height: 30px; width: 240px;
  border: 1px solid #c9d0da; border-radius: 5px; padding: 4px 8px;
}
.toolbar input.invalid { border-color: var(--err); background: var(--err-bg); }
.toolbar .check { padding-bottom: 0; }
.toolbar select { height: 28px; padding: 2px 6px; }
.page-info { font-size: 12.5px; color: var(--muted); font-variant-numeric: tabular-nums; }
details.columns { position: relative; font-size: 13px; }
details.columns summary { cursor: pointer; color: var(--accent-dark); list-style: none; }
details.columns .menu {
  position: absolute; z-index: 5; top: 24px; left: 0; background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; padding: 8px 12px; box-shadow: 0 6px 18px rgba(20, 30, 45, .12); min-width: 200px;
}
details.columns .menu .check { padding: 2px 0; white-space: nowrap; }
table.list th.sortable { cursor: pointer; user-select: none; }
table.list th.sortable:hover { color: var(--ink); }
table.list th.sorted { color: var(--ink); }
details.panel.add > summary { cursor: pointer; font-weight: 600; font-size: 15px; }
details.panel.add[open] > summary { margin-bottom: 10px; }
.grid2.charts, .grid2.spaced { margin: 16px 0; }
.stats.cols6 { grid-template-columns: repeat(6, 1fr); }
.inline-form { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px 12px; }
.inline-form .pair { display: flex; gap: 6px; }
p.hint { margin: 8px 0 10px; font-size: 12.5px; }
.check.quick { gap: 4px; flex-wrap: wrap; }
.inline { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px 12px; }
table.kv.nested th { padding-right: 10px; }
`;
