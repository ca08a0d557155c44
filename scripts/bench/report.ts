// Turns the runs of all rounds into per-scenario medians, Warren/RabbitMQ
// ratios and target verdicts, and prints them as text tables.
import { median, ratio } from "./stats.ts";
import type { MetricSpec, RunResult, Scenario, Target } from "./scenarios.ts";

export interface SummaryRow {
  scenario: string;
  title: string;
  metric: string;
  higherIsBetter: boolean;
  /** broker name -> median over rounds */
  medians: Record<string, number>;
  /** broker name -> every round's value, in round order */
  values: Record<string, number[]>;
  /** first broker / second broker (Warren / RabbitMQ in --compare) */
  ratio: number;
  target: string;
  /** "pass" | "FAIL" | "" when there is no target or nothing to compare */
  verdict: string;
}

export interface ResourceRow {
  scenario: string;
  broker: string;
  lost: number;
  duplicates: number;
  generatorCores: number;
  brokerCores: number;
  brokerPeakRssMiB: number;
}

export function describeTarget(t: Target | undefined): string {
  if (!t) return "";
  if (t.kind === "ratio") return `ratio ${t.op} ${t.value}`;
  return `${t.op} ${t.value}`;
}

/** Whether a metric meets its target; null when there is no target or no data. */
export function meetsTarget(t: Target | undefined, first: number, r: number): boolean | null {
  if (!t) return null;
  const v = t.kind === "ratio" ? r : first;
  if (!Number.isFinite(v)) return null;
  return t.op === ">=" ? v >= t.value : v <= t.value;
}

export function summarize(
  scenarios: readonly Scenario[],
  runs: readonly RunResult[],
  brokers: readonly string[],
): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const s of scenarios) {
    const mine = runs.filter((r) => r.scenario === s.id);
    if (mine.length === 0) continue;
    for (const m of s.metrics) rows.push(summarizeMetric(s, m, mine, brokers));
  }
  return rows;
}

function summarizeMetric(
  s: Scenario,
  m: MetricSpec,
  runs: readonly RunResult[],
  brokers: readonly string[],
): SummaryRow {
  const medians: Record<string, number> = {};
  const values: Record<string, number[]> = {};
  for (const b of brokers) {
    values[b] = runs.filter((r) => r.broker === b).sort((x, y) => x.round - y.round).map((r) =>
      r.metrics[m.key] ?? NaN
    );
    medians[b] = median(values[b]);
  }
  const first = medians[brokers[0]];
  const r = brokers.length > 1 ? ratio(first, medians[brokers[1]]) : NaN;
  // an absolute target applies to the first broker alone
  const target = brokers.length > 1 || m.target?.kind === "absolute" ? m.target : undefined;
  const ok = meetsTarget(target, first, r);
  return {
    scenario: s.id,
    title: s.title,
    metric: m.key,
    higherIsBetter: m.higherIsBetter,
    medians,
    values,
    ratio: r,
    target: describeTarget(target),
    verdict: ok === null ? "" : ok ? "pass" : "FAIL",
  };
}

export function resourceRows(
  scenarios: readonly Scenario[],
  runs: readonly RunResult[],
  brokers: readonly string[],
): ResourceRow[] {
  const rows: ResourceRow[] = [];
  for (const s of scenarios) {
    for (const b of brokers) {
      const mine = runs.filter((r) => r.scenario === s.id && r.broker === b);
      if (mine.length === 0) continue;
      rows.push({
        scenario: s.id,
        broker: b,
        lost: mine.reduce((a, r) => a + r.lost, 0),
        duplicates: mine.reduce((a, r) => a + r.duplicates, 0),
        generatorCores: median(mine.map((r) => r.generatorCores)),
        brokerCores: median(mine.map((r) => r.brokerCores)),
        brokerPeakRssMiB: median(mine.map((r) => r.brokerPeakRssMiB)),
      });
    }
  }
  return rows;
}

/** A number for a table: thousands separated, few significant digits for small values. */
function fmt(v: number): string {
  if (!Number.isFinite(v)) return "-";
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function formatSummary(rows: readonly SummaryRow[], brokers: readonly string[]): string {
  const header = ["scenario", "metric", ...brokers.map((b) => `${b} (median)`)];
  if (brokers.length > 1) header.push(`${brokers[0]}/${brokers[1]}`, "better", "target", "");
  else header.push("target", "");
  return table(
    header,
    rows.map((r) => {
      const cells = [`${r.scenario}`, r.metric, ...brokers.map((b) => fmt(r.medians[b]))];
      if (brokers.length > 1) {
        cells.push(
          Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}x` : "-",
          r.higherIsBetter ? "higher" : "lower",
          r.target,
          r.verdict,
        );
      } else {
        cells.push(r.target, r.verdict);
      }
      return cells;
    }),
  );
}

export function formatResources(rows: readonly ResourceRow[]): string {
  return table(
    ["scenario", "broker", "lost", "dup", "generator CPU", "broker CPU", "broker peak RSS MiB"],
    rows.map((r) => [
      r.scenario,
      r.broker,
      String(r.lost),
      String(r.duplicates),
      Number.isFinite(r.generatorCores) ? `${r.generatorCores.toFixed(2)} cores` : "-",
      Number.isFinite(r.brokerCores) ? `${r.brokerCores.toFixed(2)} cores` : "-",
      fmt(r.brokerPeakRssMiB),
    ]),
  );
}
