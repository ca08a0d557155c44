// rabbitmqctl's output forms: an info banner line, then a tab-separated
// table with a header row (or a JSON array with --formatter json).

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: Io = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** What a verb produces. */
export type Output =
  | { kind: "none" }
  | { kind: "message"; text: string }
  | { kind: "table"; columns: string[]; rows: Record<string, unknown>[] }
  | { kind: "raw"; text: string }
  | { kind: "json"; value: unknown };

/** One table cell the way rabbitmqctl's table formatter prints values. */
function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v.replace(/\t/g, "\\t").replace(/\n/g, "\\n");
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === "string" ? x : formatCell(x))).join(", ")}]`;
  if (typeof v === "object") return formatTable(v as Record<string, unknown>);
  return String(v);
}

/** An AMQP table (queue or binding arguments) as rabbitmqctl prints it: [{"key",value}, ...]. */
function formatTable(t: Record<string, unknown>): string {
  const entries = Object.entries(t);
  if (entries.length === 0) return "[]";
  return `[${entries.map(([k, v]) => `{${JSON.stringify(k)},${formatTerm(v)}}`).join(",")}]`;
}

function formatTerm(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatTerm).join(",")}]`;
  if (v !== null && typeof v === "object") return formatTable(v as Record<string, unknown>);
  return String(v);
}

export function printTable(
  io: Io,
  columns: string[],
  rows: Record<string, unknown>[],
  options: { headers: boolean },
): void {
  // rabbitmqctl prints the header with the first row: an empty listing is just its banner.
  if (options.headers && rows.length > 0) io.out(columns.join("\t"));
  for (const row of rows) io.out(columns.map((c) => formatCell(row[c])).join("\t"));
}

export function printJsonRows(io: Io, columns: string[], rows: Record<string, unknown>[]): void {
  const objects = rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
  io.out(JSON.stringify(objects));
}
