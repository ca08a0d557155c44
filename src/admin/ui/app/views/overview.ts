// Totals, message counts and rates with ten minutes of history, node facts,
// and the definitions (export to a file, import from one).
import { api, enc } from "../api.ts";
import { run, vhostSelect, type View } from "../app.ts";
import { HISTORY_QUERY, lineChart } from "../chart.ts";
import { clear, field, h, kvTable, note, panel, say, stat } from "../dom.ts";
import { details, fmtInt, rateOf, setRate } from "../format.ts";
import { setNodeInfo } from "../shell.ts";
import type { Overview } from "../types.ts";

const OBJECTS: [string, string][] = [
  ["connections", "Connections"],
  ["channels", "Channels"],
  ["exchanges", "Exchanges"],
  ["queues", "Queues"],
  ["consumers", "Consumers"],
];
const MESSAGES: [keyof NonNullable<Overview["queue_totals"]>, string][] = [
  ["messages_ready", "Ready"],
  ["messages_unacknowledged", "Unacked"],
  ["messages", "Total"],
];
const RATES: [string, string][] = [
  ["publish", "Publish"],
  ["deliver_get", "Deliver / get"],
  ["ack", "Ack"],
  ["confirm", "Confirm"],
  ["redeliver", "Redeliver"],
];

function queuedChart() {
  return lineChart([
    { label: "Ready", color: "#d9541e", kind: "count", details: (d) => details(d, "messages_ready") },
    {
      label: "Unacked",
      color: "#3a6fb0",
      kind: "count",
      details: (d) => details(d, "messages_unacknowledged"),
    },
  ]);
}

function ratesChart() {
  return lineChart([
    { label: "Publish", color: "#d9541e", kind: "rate", details: (d) => details(d, "publish") },
    { label: "Deliver / get", color: "#3a6fb0", kind: "rate", details: (d) => details(d, "deliver_get") },
    { label: "Ack", color: "#2f9e5b", kind: "rate", details: (d) => details(d, "ack") },
  ]);
}

/** The two charts of every page with message counts: queued messages and message rates, side by side. */
export function messageCharts() {
  const queued = queuedChart();
  const rates = ratesChart();
  const p1 = panel("Queued messages");
  p1.appendChild(queued.el);
  const p2 = panel("Message rates");
  p2.appendChild(rates.el);
  return { el: h("div", { class: "grid2 charts" }, p1, p2), queued, rates };
}

function definitionsPanel(): HTMLElement {
  const p = panel("Definitions");
  const vh = vhostSelect("definitions-vhost");
  const scope = h("select", { name: "definitions-scope" }, h("option", { value: "" }, "All virtual hosts"));
  const scopeVhost = h("option", { value: "vhost" }, "One virtual host:");
  scope.appendChild(scopeVhost);
  const path = () => scope.value === "vhost" ? "/definitions/" + enc(vh.value) : "/definitions";
  const msg = note();
  const download = h("button", { type: "button", name: "export" }, "Download definitions");
  download.addEventListener("click", () => {
    run(download, msg, async () => {
      const defs = await api("GET", path());
      const blob = new Blob([JSON.stringify(defs, null, 2) + "\n"], { type: "application/json" });
      const a = h("a", { href: URL.createObjectURL(blob), download: "warren-definitions.json" });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    }, "Definitions downloaded.");
  });
  const file = h("input", { type: "file", name: "definitions-file", accept: ".json,application/json" });
  const upload = h("button", { type: "button", class: "primary", name: "import" }, "Upload definitions");
  upload.addEventListener("click", () => {
    const f = file.files?.[0];
    if (!f) {
      say(msg, "error", "Choose a definitions file (JSON) first.");
      return;
    }
    run(upload, msg, async () => {
      let body: unknown;
      try {
        body = JSON.parse(await f.text());
      } catch (e) {
        throw new Error(f.name + " is not valid JSON: " + (e instanceof Error ? e.message : String(e)));
      }
      await api("POST", path(), body);
    }, "Definitions imported from " + f.name + ".");
  });
  p.appendChild(h(
    "div",
    { class: "inline-form" },
    field("Scope", h("span", { class: "pair" }, scope, vh)),
    download,
    field("File", file),
    upload,
  ));
  p.appendChild(msg);
  return p;
}

export function viewOverview(view: HTMLElement): View {
  const totals: Record<string, HTMLElement> = {};
  const objects = h(
    "div",
    { class: "stats" },
    OBJECTS.map(([k, label]) => {
      const s = stat(label);
      totals[k] = s.value;
      return s.el;
    }),
  );
  const counts: Record<string, HTMLElement> = {};
  const msgStats = h(
    "div",
    { class: "stats cols3" },
    MESSAGES.map(([k, label]) => {
      const s = stat(label);
      counts[k] = s.value;
      return s.el;
    }),
  );
  const rates: Record<string, HTMLElement> = {};
  const rateStats = h(
    "div",
    { class: "stats cols5" },
    RATES.map(([k, label]) => {
      const s = stat(label);
      rates[k] = s.value;
      return s.el;
    }),
  );
  const charts = messageCharts();
  const info = h("div");
  const updated = h("span", { class: "updated" });
  const nodePanel = panel("Node");
  nodePanel.appendChild(info);
  view.append(
    h("div", { class: "title-row" }, h("h1", null, "Overview"), updated),
    h("div", { class: "section-title" }, "Totals"),
    objects,
    h(
      "div",
      { class: "split" },
      h("div", null, h("div", { class: "section-title" }, "Messages"), msgStats),
      h("div", null, h("div", { class: "section-title" }, "Message rates"), rateStats),
    ),
    charts.el,
    h("div", { class: "grid2" }, nodePanel, definitionsPanel()),
  );

  return {
    async refresh() {
      const o = await api<Overview>("GET", "/overview?" + HISTORY_QUERY);
      setNodeInfo(o);
      for (const [k] of OBJECTS) totals[k].textContent = fmtInt(o.object_totals?.[k] ?? 0);
      const qt = o.queue_totals ?? {};
      for (const [k] of MESSAGES) counts[k].textContent = fmtInt((qt[k] as number | undefined) ?? 0);
      for (const [k] of RATES) setRate(rates[k], rateOf(o.message_stats, k));
      charts.queued.draw(qt);
      charts.rates.draw(o.message_stats);
      clear(info);
      info.appendChild(kvTable([
        [
          "Product",
          ((o.product_name || "RabbitMQ") + " " + (o.product_version || o.rabbitmq_version || "")).trim(),
        ],
        ["Management API", o.management_version],
        ["Node", o.node],
        ["Cluster", o.cluster_name],
        ["Runtime", o.erlang_version],
        [
          "Listeners",
          (o.listeners ?? []).map((l) => l.protocol + " " + l.ip_address + ":" + l.port).join(", "),
        ],
      ]));
      updated.textContent = "Updated " + new Date().toLocaleTimeString();
    },
  };
}
