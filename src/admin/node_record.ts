// Where a running node listens, recorded in its data dir (node.json) so
// that `warren ctl --data-dir D` reaches the node that owns D without
// being told its ports. The node writes the record once its listeners are
// up and removes it on a clean stop; a record left by a crash only points
// ctl at a port where nothing (or a node that refuses D's ctl secret)
// answers, which ctl reports as such.

const NODE_RECORD_FILE = "node.json";

export interface NodeRecord {
  pid: number;
  node: string;
  management: { hostname: string; port: number };
  amqp: { hostname: string; port: number }[];
  startedAt: string;
}

export function nodeRecordPath(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "") || "/"}/${NODE_RECORD_FILE}`;
}

/** Written atomically (temporary file, then rename), so a reader never sees half a record. */
export function writeNodeRecord(dataDir: string, record: NodeRecord): void {
  const path = nodeRecordPath(dataDir);
  const tmp = `${path}.tmp-${Deno.pid}`;
  Deno.writeTextFileSync(tmp, JSON.stringify(record) + "\n", { mode: 0o600 });
  Deno.renameSync(tmp, path);
}

/** Removes the record if it is still this process's (a newer node may have replaced it). */
export function removeNodeRecord(dataDir: string): void {
  const current = readNodeRecord(dataDir);
  if (current === null || current.pid !== Deno.pid) return;
  try {
    Deno.removeSync(nodeRecordPath(dataDir));
  } catch { /* already gone */ }
}

/** The record, or null when there is none or it is not one Warren wrote. */
export function readNodeRecord(dataDir: string): NodeRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(Deno.readTextFileSync(nodeRecordPath(dataDir)));
  } catch {
    return null;
  }
  const r = value as Partial<NodeRecord> | null;
  if (
    r === null || typeof r !== "object" || typeof r.pid !== "number" || typeof r.management !== "object" ||
    r.management === null || typeof r.management.port !== "number" ||
    typeof r.management.hostname !== "string"
  ) {
    return null;
  }
  return r as NodeRecord;
}

/** The address to reach a listener bound to `hostname` from this machine. */
export function loopbackFor(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "") return "127.0.0.1";
  if (hostname === "::" || hostname === "[::]") return "::1";
  return hostname;
}
