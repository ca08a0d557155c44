// rabbitmq_identity_info's rabbitmq_cluster_permanent_id: an id generated
// once and kept for the life of the node's data, as RabbitMQ keeps its
// persistent cluster id, so dashboards can tell a rebuilt node from the
// old one even when names are reused. A node without a data dir gets a new
// id each start, which is what "its data" means for it.

const FILE_NAME = "cluster_id";
const PREFIX = "rabbitmq-cluster-id-";

function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const base64 = btoa(String.fromCharCode(...bytes));
  return PREFIX + base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The id kept in dataDir, created there on first use; a fresh one when there is no data dir. */
export function permanentClusterId(dataDir: string | null): string {
  if (dataDir === null) return newId();
  const path = `${dataDir.replace(/\/+$/, "")}/${FILE_NAME}`;
  try {
    const kept = Deno.readTextFileSync(path).trim();
    if (kept.startsWith(PREFIX)) return kept;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const id = newId();
  Deno.writeTextFileSync(path, id + "\n");
  return id;
}
