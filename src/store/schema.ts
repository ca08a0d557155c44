// The SQLite schema, versioned. Each migration moves the file one version
// up inside one transaction; a file from a newer Warren, or one that is not
// Warren's at all, is refused rather than guessed at.
import type { DatabaseSync } from "node:sqlite";
import type { StreamRecordIn } from "./store.ts";
import { encodeChunk } from "./stream_chunk.ts";

export const FILE_FORMAT = "warren";

/** SQL, or a function for a migration that converts rows. */
type Migration = string | ((db: DatabaseSync) => void);

const MIGRATIONS: readonly Migration[] = [
  // 1: entities, messages stored once, one row per message per queue.
  `
  CREATE TABLE vhosts (name TEXT PRIMARY KEY) WITHOUT ROWID;
  CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, tags TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE permissions (
    vhost TEXT NOT NULL, user TEXT NOT NULL,
    configure TEXT NOT NULL, write TEXT NOT NULL, read TEXT NOT NULL,
    PRIMARY KEY (vhost, user)) WITHOUT ROWID;
  CREATE TABLE exchanges (
    vhost TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
    auto_delete INTEGER NOT NULL, internal INTEGER NOT NULL, arguments BLOB NOT NULL,
    PRIMARY KEY (vhost, name)) WITHOUT ROWID;
  CREATE TABLE queues (
    id INTEGER PRIMARY KEY, vhost TEXT NOT NULL, name TEXT NOT NULL,
    auto_delete INTEGER NOT NULL, arguments BLOB NOT NULL,
    delivered_seq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (vhost, name));
  CREATE TABLE bindings (
    vhost TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
    destination_type TEXT NOT NULL, routing_key TEXT NOT NULL,
    arguments BLOB NOT NULL, args_key TEXT NOT NULL,
    PRIMARY KEY (vhost, source, destination_type, destination, routing_key, args_key)) WITHOUT ROWID;
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY, exchange TEXT NOT NULL, routing_key TEXT NOT NULL,
    properties BLOB NOT NULL, body BLOB NOT NULL, persistent INTEGER NOT NULL,
    refs INTEGER NOT NULL);
  CREATE INDEX messages_transient ON messages (id) WHERE persistent = 0;
  CREATE INDEX messages_shared ON messages (id) WHERE refs > 1;
  CREATE TABLE queue_messages (
    queue_id INTEGER NOT NULL, seq INTEGER NOT NULL, message_id INTEGER NOT NULL,
    transient INTEGER NOT NULL,
    PRIMARY KEY (queue_id, seq)) WITHOUT ROWID;
  `,
  // 2: message expiry that survives restarts, policies, delayed messages.
  `
  ALTER TABLE queue_messages ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE policies (
    vhost TEXT NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL, apply_to TEXT NOT NULL,
    priority INTEGER NOT NULL, definition TEXT NOT NULL,
    PRIMARY KEY (vhost, name)) WITHOUT ROWID;
  CREATE TABLE delayed_messages (
    id INTEGER PRIMARY KEY, vhost TEXT NOT NULL, exchange TEXT NOT NULL, due_at INTEGER NOT NULL,
    routing_key TEXT NOT NULL, properties BLOB NOT NULL, body BLOB NOT NULL, persistent INTEGER NOT NULL);
  `,
  // 3: quorum queues' delivery counts.
  `
  ALTER TABLE queue_messages ADD COLUMN delivery_count INTEGER NOT NULL DEFAULT 0;
  `,
  // 4: runtime parameters (shovels, federation upstreams, …) and global parameters, values as JSON.
  `
  CREATE TABLE runtime_parameters (
    component TEXT NOT NULL, vhost TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (component, vhost, name)) WITHOUT ROWID;
  CREATE TABLE global_parameters (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `,
  // 5: stream queues: an append-only log per queue, its chunk starts, a summary per segment (so start-up
  // need not read the log), and tracked consumer offsets.
  // A rowid table, not WITHOUT ROWID: its rows carry whole message bodies.
  `
  CREATE TABLE stream_records (
    queue_id INTEGER NOT NULL, stream_offset INTEGER NOT NULL, segment INTEGER NOT NULL,
    ts INTEGER NOT NULL, chunk_start INTEGER NOT NULL, filter_value TEXT,
    exchange TEXT NOT NULL, routing_key TEXT NOT NULL, properties BLOB NOT NULL, body BLOB NOT NULL,
    size INTEGER NOT NULL,
    UNIQUE (queue_id, stream_offset));
  CREATE INDEX stream_chunks ON stream_records (queue_id, stream_offset, ts) WHERE chunk_start = 1;
  CREATE TABLE stream_segments (
    queue_id INTEGER NOT NULL, segment INTEGER NOT NULL,
    first_offset INTEGER NOT NULL, last_offset INTEGER NOT NULL, records INTEGER NOT NULL,
    bytes INTEGER NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
    PRIMARY KEY (queue_id, segment)) WITHOUT ROWID;
  CREATE TABLE stream_consumer_offsets (
    queue_id INTEGER NOT NULL, consumer_tag TEXT NOT NULL, stream_offset INTEGER NOT NULL,
    PRIMARY KEY (queue_id, consumer_tag)) WITHOUT ROWID;
  `,
  // 6: a stream stores one row per chunk (the records one commit appended to one segment, as one blob:
  // stream_chunk.ts) instead of one per record: a commit is one INSERT, a replay reads a row per chunk.
  chunkStreams,
];

/** Converts version 5's record rows to chunks: a chunk ends where a record starts one, or the segment changes. */
function chunkStreams(db: DatabaseSync): void {
  db.exec(`
    ALTER TABLE stream_records RENAME TO stream_records_v5;
    DROP INDEX stream_chunks;
    CREATE TABLE stream_chunks (
      queue_id INTEGER NOT NULL, first_offset INTEGER NOT NULL, last_offset INTEGER NOT NULL,
      segment INTEGER NOT NULL, first_ts INTEGER NOT NULL, records BLOB NOT NULL,
      UNIQUE (queue_id, last_offset));
  `);
  const ins = db.prepare(
    "INSERT INTO stream_chunks (queue_id, first_offset, last_offset, segment, first_ts, records) VALUES (?, ?, ?, ?, ?, ?)",
  );
  let queue = -1;
  let segment = -1;
  let chunk: StreamRecordIn[] = [];
  const flush = () => {
    if (chunk.length === 0) return;
    const first = chunk[0];
    ins.run(
      queue,
      first.offset,
      chunk.at(-1)!.offset,
      segment,
      first.timestamp,
      encodeChunk(chunk, 0, chunk.length),
    );
    chunk = [];
  };
  const rows = db.prepare(
    `SELECT queue_id, stream_offset, segment, ts, chunk_start, filter_value, exchange, routing_key, properties, body
     FROM stream_records_v5 ORDER BY queue_id, stream_offset`,
  ).iterate() as Iterable<Record<string, unknown>>;
  for (const r of rows) {
    const offset = r.stream_offset as number;
    if (
      r.queue_id !== queue || r.segment !== segment || r.chunk_start === 1 ||
      (chunk.length > 0 && chunk.at(-1)!.offset !== offset - 1)
    ) {
      flush();
      queue = r.queue_id as number;
      segment = r.segment as number;
    }
    chunk.push({
      offset,
      timestamp: r.ts as number,
      segment,
      filterValue: r.filter_value as string | null,
      exchange: r.exchange as string,
      routingKey: r.routing_key as string,
      rawProperties: r.properties as Uint8Array,
      body: r.body as Uint8Array,
    });
  }
  flush();
  db.exec("DROP TABLE stream_records_v5");
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Thrown when the file is not one this version of Warren can use. */
export class SchemaError extends Error {}

/** Refuses, without writing, an SQLite file that has tables but none of Warren's. */
export function refuseForeignFile(db: DatabaseSync, path: string): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  if (tables.length > 0 && !tables.some((t) => t.name === "meta")) {
    throw new SchemaError(`${path} is an SQLite file that Warren did not write; refusing to use it`);
  }
}

export function migrate(db: DatabaseSync, path: string): void {
  db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
  const get = db.prepare("SELECT value FROM meta WHERE key = ?");
  const format = (get.get("format") as { value: string } | undefined)?.value;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name != 'meta'")
    .get() as { n: number };
  if (format === undefined && tables.n > 0) {
    throw new SchemaError(`${path} is an SQLite file that Warren did not write; refusing to use it`);
  }
  if (format !== undefined && format !== FILE_FORMAT) {
    throw new SchemaError(`${path} has format '${format}', expected '${FILE_FORMAT}'`);
  }
  let version = Number((get.get("schema_version") as { value: string } | undefined)?.value ?? 0);
  if (version > SCHEMA_VERSION) {
    throw new SchemaError(
      `${path} has schema version ${version}, newer than this Warren's ${SCHEMA_VERSION}; upgrade Warren`,
    );
  }
  const set = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
  while (version < SCHEMA_VERSION) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const m = MIGRATIONS[version];
      if (typeof m === "string") db.exec(m);
      else m(db);
      version++;
      set.run("format", FILE_FORMAT);
      set.run("schema_version", String(version));
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  }
}
