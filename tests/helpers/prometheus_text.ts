// Reads the Prometheus text format (what /metrics returns) into families,
// strictly enough that a malformed line fails the test that scraped it.

export interface ScrapedSample {
  labels: Record<string, string>;
  value: number;
}

export interface ScrapedFamily {
  type: string;
  help: string;
  samples: ScrapedSample[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (m === null) throw new Error(`bad labels in: ${line}`);
    labels[m[1]] = m[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === "NaN") return NaN;
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  const v = Number(text);
  if (Number.isNaN(v)) throw new Error(`bad value in: ${line}`);
  return v;
}

/** Families by name; a summary's _sum/_count/quantile lines are kept under the summary's name. */
export function parsePrometheusText(body: string): Map<string, ScrapedFamily> {
  const families = new Map<string, ScrapedFamily>();
  const familyOf = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { type: "untyped", help: "", samples: [] };
      families.set(name, f);
    }
    return f;
  };
  for (const line of body.split("\n")) {
    if (line === "") continue;
    const meta = /^# (TYPE|HELP) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const f = familyOf(meta[2]);
      if (meta[1] === "TYPE") f.type = meta[3];
      else f.help = meta[3];
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = SAMPLE_LINE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const base = m[1].replace(/_(sum|count)$/, "");
    const name = families.has(m[1]) || !families.has(base) ? m[1] : base;
    familyOf(name).samples.push({ labels: parseLabels(m[3] ?? "", line), value: parseValue(m[4], line) });
  }
  return families;
}

/** The distinct label sets (names and values) a family's samples carry, each as one sorted string. */
export function labelSets(f: ScrapedFamily): Set<string> {
  return new Set(
    f.samples.map((s) =>
      Object.keys(s.labels).sort().map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(",")
    ),
  );
}
