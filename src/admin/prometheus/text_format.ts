// Prometheus's text exposition format (version 0.0.4), written the way
// rabbitmq_prometheus writes it: `# TYPE` before `# HELP`, label values
// escaped, and a family with no samples still announced, so a scrape always
// lists the same names.

export type MetricType = "counter" | "gauge" | "untyped";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

export const TEXT_FORMAT_CONTENT_TYPE = "text/plain; version=0.0.4";

const NO_LABELS: Labels = {};

export function sample(value: number, labels: Labels = NO_LABELS): Sample {
  return { labels, value };
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k])}"`).join(",")}}`;
}

export function renderFamilies(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# TYPE ${f.name} ${f.type}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    for (const s of f.samples) lines.push(`${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
