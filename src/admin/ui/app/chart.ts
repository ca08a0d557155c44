// Line charts of the node's own history: the API's `samples` arrays (newest
// first, RabbitMQ's shape) for the last ten minutes, so a chart is full the
// moment a page opens. Counts are drawn as they are; counters as per-second
// rates between neighbouring samples.
import { h, svg } from "./dom.ts";
import type { Details, Sample } from "./types.ts";

/** How far back charts look, and the spacing of the samples they ask for. */
export const HISTORY_AGE_S = 600;
export const HISTORY_INCR_S = 5;
/** The query that asks for that history (RabbitMQ's parameters). */
export const HISTORY_QUERY = `lengths_age=${HISTORY_AGE_S}&lengths_incr=${HISTORY_INCR_S}` +
  `&msg_rates_age=${HISTORY_AGE_S}&msg_rates_incr=${HISTORY_INCR_S}`;

export interface Series {
  label: string;
  color: string;
  details: (data: unknown) => Details | undefined;
  /** "rate": the samples are a counter; draw its per-second rate. */
  kind: "count" | "rate";
}

export interface Chart {
  el: HTMLElement;
  draw(data: unknown): void;
}

interface Point {
  t: number;
  v: number;
}

function points(samples: Sample[], kind: Series["kind"]): Point[] {
  const sorted = [...samples].sort((a, b) => a.timestamp - b.timestamp);
  if (kind === "count") return sorted.map((s) => ({ t: s.timestamp, v: s.sample }));
  const out: Point[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const dt = (sorted[i].timestamp - sorted[i - 1].timestamp) / 1000;
    if (dt > 0) {
      out.push({ t: sorted[i].timestamp, v: Math.max(0, (sorted[i].sample - sorted[i - 1].sample) / dt) });
    }
  }
  return out;
}

function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * p >= v) return step * p;
  return 10 * p;
}

function fmtTick(v: number, kind: Series["kind"]): string {
  const n = Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(1);
  return kind === "rate" ? n + "/s" : n;
}

export function lineChart(series: Series[]): Chart {
  const W = 600, H = 150, PAD_L = 48, PAD_B = 4, PAD_T = 8;
  const el = svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none" });
  const box = h(
    "div",
    { class: "chart" },
    el,
    h(
      "div",
      { class: "legend" },
      series.map((s) => h("span", null, h("i", { style: "background:" + s.color }), s.label)),
      h("span", { class: "muted" }, "last 10 minutes"),
    ),
  );

  function draw(data: unknown): void {
    while (el.firstChild) el.removeChild(el.firstChild);
    const lines = series.map((s) => points(s.details(data)?.samples ?? [], s.kind));
    const now = Math.max(0, ...lines.flatMap((l) => l.map((p) => p.t)));
    const top = niceCeil(Math.max(0, ...lines.flatMap((l) => l.map((p) => p.v))));
    for (const f of [0, 0.5, 1]) {
      const y = PAD_T + (H - PAD_T - PAD_B) * (1 - f);
      el.appendChild(svg("line", { x1: PAD_L, x2: W, y1: y, y2: y, class: "axis" }));
      const label = svg("text", { x: PAD_L - 6, y: y + 3, "text-anchor": "end", class: "tick" });
      label.textContent = fmtTick(top * f, series[0].kind);
      el.appendChild(label);
    }
    lines.forEach((line, i) => {
      if (line.length < 2) return;
      const pts = line.map((p) => {
        const x = W - (W - PAD_L) * ((now - p.t) / (HISTORY_AGE_S * 1000));
        const y = PAD_T + (H - PAD_T - PAD_B) * (1 - p.v / top);
        return x.toFixed(1) + "," + y.toFixed(1);
      });
      el.appendChild(svg("polyline", { points: pts.join(" "), stroke: series[i].color }));
    });
  }
  return { el: box, draw };
}
