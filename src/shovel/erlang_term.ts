// JSON values printed the way RabbitMQ's validation messages print them
// (Erlang's ~p of the decoded term): strings as <<"binaries">>, objects as
// maps, the top-level parameter value as a list of {Key,Value} pairs.
// People and tools compare these texts with RabbitMQ's, so they match.

export function erlangTerm(v: unknown): string {
  if (typeof v === "string") return `<<${JSON.stringify(v)}>>`;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : erlangFloat(v);
  if (typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(erlangTerm).join(",")}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `#{${entries.map(([k, x]) => `${erlangTerm(k)} => ${erlangTerm(x)}`).join(",")}}`;
}

/** Leftover keys of a parameter value, as proplist pairs: [{<<"k">>,V},…]. */
export function erlangPairs(entries: [string, unknown][]): string {
  return `[${entries.map(([k, x]) => `{${erlangTerm(k)},${erlangTerm(x)}}`).join(",")}]`;
}

function erlangFloat(v: number): string {
  const s = String(v);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}
