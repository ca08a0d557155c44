// The durable store: one SQLite file in WAL mode through node:sqlite.
// Entities are statements queued into the next batch; messages are written
// by the group-commit BatchWriter (sqlite_batch.ts), which owns the file's
// write transactions.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { fieldTableKey } from "../amqp/field_table.ts";
import { readSnapshot, type SnapshotRead } from "./sqlite_snapshot.ts";
import { OnlineBackup } from "./sqlite_backup.ts";
import { BatchWriter } from "./sqlite_batch.ts";
import { describeOpenError, missingDatabase, StoreError } from "./sqlite_file_checks.ts";
import { inspectWal, type WalDamage } from "./wal_file.ts";
import { encodeTable } from "./table_blob.ts";
import { logger } from "../log.ts";
import { migrate, refuseForeignFile, SchemaError } from "./schema.ts";
import type { BackupProgress, BackupResult } from "./store.ts";
import type { SyncLevel } from "./sync_level.ts";
import { decodeChunk } from "./stream_chunk.ts";
import type {
  BindingRecord,
  DelayedRecord,
  DurableCallback,
  ExchangeRecord,
  GlobalParameterRecord,
  LoadedMessage,
  ParameterRecord,
  PermissionRecord,
  PolicyRecord,
  QueueRecord,
  StorableEntry,
  Store,
  StoreSnapshot,
  StreamRecord,
  StreamRecordIn,
  StreamSegment,
  UserRecord,
} from "./store.ts";

export { StoreError };

const log = logger("store");

/**
 * WAL pages between automatic checkpoints (SQLite's default is 1,000). A
 * checkpoint runs inside a COMMIT on the event loop and fsyncs both the WAL
 * and the database file there; persistent messages are mostly inserted and
 * deleted again before a checkpoint, so a longer WAL copies the same few
 * pages back less often. ~40 MiB of WAL at 4 KiB pages; durability is the
 * same, since a commit is durable in the synced WAL either way.
 */
const WAL_CHECKPOINT_PAGES = 10_000;

type Row = Record<string, unknown>;

export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #path: string;
  #lastQueueId = 0;
  /** Non-durable queues page under negative ids, so they never meet a queue record's id. */
  #lastPagingQueueId = 0;
  #lastDelayedId = 0;
  #closed = false;
  readonly #batch: BatchWriter;
  readonly #loadRows: StatementSync;
  readonly #readStream: StatementSync;
  readonly #backup: OnlineBackup;

  constructor(path: string, options: { sync: SyncLevel }) {
    this.#path = path;
    const refusal = missingDatabase(path);
    if (refusal !== null) throw new StoreError(refusal);
    let walDamage: WalDamage | null;
    try {
      walDamage = inspectWal(`${path}-wal`);
    } catch (e) {
      throw new StoreError(`cannot read ${path}-wal: ${(e as Error).message}`);
    }
    try {
      this.#db = new DatabaseSync(path);
      // Look before touching anything: a file that is not ours must be left exactly as it was.
      refuseForeignFile(this.#db, path);
      // Exclusive locking: a second node on the same file fails at once
      // instead of both writing; it also lets WAL work without shared memory.
      this.#db.exec("PRAGMA locking_mode = EXCLUSIVE");
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      this.#db.exec(`PRAGMA synchronous = ${options.sync === "full" ? "FULL" : "NORMAL"}`);
      this.#db.exec("BEGIN IMMEDIATE; COMMIT");
    } catch (e) {
      if (e instanceof SchemaError) throw e;
      throw new StoreError(describeOpenError(path, e as Error));
    }
    // Only now that this node holds the lock: a node that is still running may be mid-write.
    if (walDamage !== null) {
      log.warning("write-ahead log was cut short; recovered it up to its last complete transaction", {
        path: `${path}-wal`,
        recovered_frames: walDamage.keptFrames,
        recovered_transactions: walDamage.keptTransactions,
        dropped_frames: walDamage.droppedFrames,
        dropped_bytes: walDamage.droppedBytes,
      });
    }
    migrate(this.#db, path);
    this.#batch = new BatchWriter(this.#db, path, options.sync === "full");
    this.#backup = new OnlineBackup(this.#db, path, () => this.flush(), () => this.#closed);
    this.#loadRows = this.#db.prepare(
      `SELECT qm.seq AS seq, qm.expires_at AS expires_at, qm.delivery_count AS delivery_count, m.id AS id, m.exchange AS exchange, m.routing_key AS routing_key,
              m.properties AS properties, m.body AS body, m.persistent AS persistent
       FROM queue_messages qm JOIN messages m ON m.id = qm.message_id
       WHERE qm.queue_id = ? AND qm.seq > ? ORDER BY qm.seq LIMIT ?`,
    );
    this.#readStream = this.#db.prepare(
      `SELECT first_offset, records FROM stream_chunks
       WHERE queue_id = ? AND last_offset >= ? ORDER BY last_offset LIMIT 1`,
    );
  }

  get path(): string {
    return this.#path;
  }

  // ---- start-up -------------------------------------------------------

  load(): StoreSnapshot {
    const t0 = performance.now();
    let r: SnapshotRead;
    try {
      r = readSnapshot(this.#db);
    } catch (e) {
      throw new StoreError(describeOpenError(this.#path, e as Error));
    }
    this.#batch.restore(r.sharedRefs, r.lastMessageId);
    this.#lastQueueId = r.lastQueueId;
    this.#lastDelayedId = r.lastDelayedId;
    log.info("store loaded", {
      path: this.#path,
      queues: r.snapshot.queues.length,
      messages: r.snapshot.queues.reduce((n, q) => n + q.messageCount, 0),
      ms: Math.round(performance.now() - t0),
    });
    return r.snapshot;
  }

  // ---- entities (cold path: queued as statements into the next batch) --

  #coldOp(sql: string, ...params: (string | number | Uint8Array | null)[]): void {
    this.#batch.cold(() => this.#db.prepare(sql).run(...params));
  }

  saveVHost(name: string): void {
    this.#coldOp("INSERT OR IGNORE INTO vhosts (name) VALUES (?)", name);
  }
  deleteVHost(name: string): void {
    this.#coldOp("DELETE FROM vhosts WHERE name = ?", name);
    this.#coldOp("DELETE FROM permissions WHERE vhost = ?", name);
  }
  saveUser(r: UserRecord): void {
    this.#coldOp(
      "INSERT OR REPLACE INTO users (name, password_hash, tags) VALUES (?, ?, ?)",
      r.name,
      r.passwordHash,
      r.tags.join(","),
    );
  }
  deleteUser(name: string): void {
    this.#coldOp("DELETE FROM users WHERE name = ?", name);
    this.#coldOp("DELETE FROM permissions WHERE user = ?", name);
  }
  savePermission(r: PermissionRecord): void {
    this.#coldOp(
      "INSERT OR REPLACE INTO permissions (vhost, user, configure, write, read) VALUES (?, ?, ?, ?, ?)",
      r.vhost,
      r.user,
      r.configure,
      r.write,
      r.read,
    );
  }
  deletePermission(vhost: string, user: string): void {
    this.#coldOp("DELETE FROM permissions WHERE vhost = ? AND user = ?", vhost, user);
  }
  savePolicy(r: PolicyRecord): void {
    this.#coldOp(
      "INSERT OR REPLACE INTO policies (vhost, name, pattern, apply_to, priority, definition) VALUES (?, ?, ?, ?, ?, ?)",
      r.vhost,
      r.name,
      r.pattern,
      r.applyTo,
      r.priority,
      JSON.stringify(r.definition),
    );
  }
  deletePolicy(vhost: string, name: string): void {
    this.#coldOp("DELETE FROM policies WHERE vhost = ? AND name = ?", vhost, name);
  }
  saveParameter(r: ParameterRecord): void {
    this.#coldOp(
      "INSERT OR REPLACE INTO runtime_parameters (component, vhost, name, value) VALUES (?, ?, ?, ?)",
      r.component,
      r.vhost,
      r.name,
      JSON.stringify(r.value),
    );
  }
  deleteParameter(component: string, vhost: string, name: string): void {
    this.#coldOp(
      "DELETE FROM runtime_parameters WHERE component = ? AND vhost = ? AND name = ?",
      component,
      vhost,
      name,
    );
  }
  saveGlobalParameter(r: GlobalParameterRecord): void {
    this.#coldOp(
      "INSERT OR REPLACE INTO global_parameters (name, value) VALUES (?, ?)",
      r.name,
      JSON.stringify(r.value),
    );
  }
  deleteGlobalParameter(name: string): void {
    this.#coldOp("DELETE FROM global_parameters WHERE name = ?", name);
  }

  saveDelayed(r: Omit<DelayedRecord, "id">): number {
    const id = ++this.#lastDelayedId;
    this.#coldOp(
      `INSERT INTO delayed_messages (id, vhost, exchange, due_at, routing_key, properties, body, persistent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      r.vhost,
      r.exchange,
      r.dueAt,
      r.routingKey,
      r.rawProperties,
      r.body,
      r.persistent ? 1 : 0,
    );
    return id;
  }

  takeDelayed(id: number): DelayedRecord | undefined {
    this.flush();
    const r = this.#db.prepare(
      "SELECT vhost, exchange, due_at, routing_key, properties, body, persistent FROM delayed_messages WHERE id = ?",
    ).get(id) as Row | undefined;
    if (!r) return undefined;
    this.#coldOp("DELETE FROM delayed_messages WHERE id = ?", id);
    return {
      id,
      vhost: r.vhost as string,
      exchange: r.exchange as string,
      dueAt: r.due_at as number,
      routingKey: r.routing_key as string,
      rawProperties: r.properties as Uint8Array,
      body: r.body as Uint8Array,
      persistent: r.persistent === 1,
    };
  }

  saveExchange(r: ExchangeRecord): void {
    this.#coldOp(
      "INSERT OR REPLACE INTO exchanges (vhost, name, type, auto_delete, internal, arguments) VALUES (?, ?, ?, ?, ?, ?)",
      r.vhost,
      r.name,
      r.type,
      r.autoDelete ? 1 : 0,
      r.internal ? 1 : 0,
      encodeTable(r.arguments),
    );
  }
  deleteExchange(vhost: string, name: string): void {
    this.#coldOp("DELETE FROM exchanges WHERE vhost = ? AND name = ?", vhost, name);
  }
  saveQueue(r: QueueRecord): number {
    const id = ++this.#lastQueueId;
    this.#coldOp(
      "INSERT OR REPLACE INTO queues (id, vhost, name, auto_delete, arguments) VALUES (?, ?, ?, ?, ?)",
      id,
      r.vhost,
      r.name,
      r.autoDelete ? 1 : 0,
      encodeTable(r.arguments),
    );
    return id;
  }
  pagingQueueId(): number {
    return --this.#lastPagingQueueId;
  }
  deleteQueue(queueId: number): void {
    this.#batch.now(() => {
      this.#batch.releaseRowsAfter(queueId, 0);
      this.#db.prepare("DELETE FROM queues WHERE id = ?").run(queueId);
      this.#db.prepare("DELETE FROM stream_chunks WHERE queue_id = ?").run(queueId);
      this.#db.prepare("DELETE FROM stream_segments WHERE queue_id = ?").run(queueId);
      this.#db.prepare("DELETE FROM stream_consumer_offsets WHERE queue_id = ?").run(queueId);
    });
  }
  saveBinding(r: BindingRecord): void {
    this.#coldOp(
      `INSERT OR REPLACE INTO bindings (vhost, source, destination, destination_type, routing_key, arguments, args_key)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      r.vhost,
      r.source,
      r.destination,
      r.destinationType,
      r.routingKey,
      encodeTable(r.arguments),
      fieldTableKey(r.arguments),
    );
  }
  deleteBinding(r: BindingRecord): void {
    this.#coldOp(
      `DELETE FROM bindings WHERE vhost = ? AND source = ? AND destination = ? AND destination_type = ?
       AND routing_key = ? AND args_key = ?`,
      r.vhost,
      r.source,
      r.destination,
      r.destinationType,
      r.routingKey,
      fieldTableKey(r.arguments),
    );
  }

  // ---- messages (hot path: handed straight to the batch) -------------

  addMessage(queueId: number, entry: StorableEntry): void {
    this.#batch.addMessage(queueId, entry);
  }

  removeMessage(queueId: number, entry: StorableEntry): void {
    this.#batch.removeMessage(queueId, entry);
  }

  setDeliveryCount(queueId: number, entry: StorableEntry, count: number): void {
    this.#batch.setDeliveryCount(queueId, entry, count);
  }

  markDelivered(queueId: number, seq: number): void {
    this.#batch.markDelivered(queueId, seq);
  }

  loadMessages(queueId: number, afterSeq: number, limit: number): LoadedMessage[] {
    this.flush();
    const rows = this.#loadRows.all(queueId, afterSeq, limit) as Row[];
    return rows.map((r) => ({
      seq: r.seq as number,
      messageId: r.id as number,
      exchange: r.exchange as string,
      routingKey: r.routing_key as string,
      rawProperties: r.properties as Uint8Array,
      body: r.body as Uint8Array,
      persistent: r.persistent === 1,
      expiresAt: r.expires_at as number,
      deliveryCount: r.delivery_count as number,
    }));
  }

  removeMessagesAfter(queueId: number, afterSeq: number): void {
    this.#batch.now(() => this.#batch.releaseRowsAfter(queueId, afterSeq));
  }

  // ---- streams --------------------------------------------------------

  appendStreamRecord(queueId: number, record: StreamRecordIn): void {
    this.#batch.appendStreamRecord(queueId, record);
  }

  /** Reads only what has committed: a record is delivered once it is durable. */
  /** Whole chunks, until `limit` records are read: a record is a view into its chunk's blob. */
  readStreamRecords(queueId: number, fromOffset: number, limit: number): StreamRecord[] {
    const out: StreamRecord[] = [];
    let from = fromOffset;
    while (out.length < limit) {
      const r = this.#readStream.get(queueId, from) as Row | undefined;
      if (r === undefined) break;
      const before = out.length;
      decodeChunk(r.records as Uint8Array, r.first_offset as number, from, out);
      if (out.length === before) break;
      from = out[out.length - 1].offset + 1;
    }
    return out;
  }

  streamSegments(queueId: number): StreamSegment[] {
    const rows = this.#db.prepare(
      `SELECT segment, first_offset, last_offset, records, bytes, first_ts, last_ts
       FROM stream_segments WHERE queue_id = ? ORDER BY segment`,
    ).all(queueId) as Row[];
    return rows.map((r) => ({
      segment: r.segment as number,
      firstOffset: r.first_offset as number,
      lastOffset: r.last_offset as number,
      records: r.records as number,
      bytes: r.bytes as number,
      firstTimestamp: r.first_ts as number,
      lastTimestamp: r.last_ts as number,
    }));
  }

  streamLastChunkOffset(queueId: number): number {
    const r = this.#db.prepare(
      "SELECT first_offset FROM stream_chunks WHERE queue_id = ? ORDER BY last_offset DESC LIMIT 1",
    ).get(queueId) as Row | undefined;
    return r === undefined ? -1 : r.first_offset as number;
  }

  streamChunkOffsetAt(queueId: number, timestampMs: number): number {
    const r = this.#db.prepare(
      "SELECT first_offset FROM stream_chunks WHERE queue_id = ? AND first_ts >= ? ORDER BY last_offset LIMIT 1",
    ).get(queueId, timestampMs) as Row | undefined;
    return r === undefined ? -1 : r.first_offset as number;
  }

  /** `offset` is the first of a segment: retention drops whole segments. */
  truncateStream(queueId: number, offset: number): void {
    this.#coldOp("DELETE FROM stream_chunks WHERE queue_id = ? AND last_offset < ?", queueId, offset);
    this.#coldOp("DELETE FROM stream_segments WHERE queue_id = ? AND last_offset < ?", queueId, offset);
  }

  saveStreamConsumerOffset(queueId: number, consumerTag: string, offset: number): void {
    this.#batch.saveConsumerOffset(queueId, consumerTag, offset);
  }

  streamConsumerOffset(queueId: number, consumerTag: string): number {
    const pending = this.#batch.pendingConsumerOffset(queueId, consumerTag);
    if (pending !== undefined) return pending;
    const r = this.#db.prepare(
      "SELECT stream_offset FROM stream_consumer_offsets WHERE queue_id = ? AND consumer_tag = ?",
    ).get(queueId, consumerTag) as Row | undefined;
    return r === undefined ? -1 : r.stream_offset as number;
  }

  // ---- commits --------------------------------------------------------

  whenDurable(callback: DurableCallback): void {
    this.#batch.whenDurable(callback);
  }

  flush(): void {
    this.#batch.flush();
  }

  // ---- online backup --------------------------------------------------

  get backupProgress(): BackupProgress | null {
    return this.#backup.progress;
  }

  /** A copy of the node as of now, taken while it keeps serving (see sqlite_backup.ts). */
  backup(requested: string): Promise<BackupResult> {
    return this.#backup.run(requested);
  }

  settled(): Promise<void> {
    return this.#batch.settled();
  }

  close(): void {
    if (this.#closed) return;
    this.#batch.close();
    this.#closed = true;
    this.#db.close();
    // Only now: the database has let go of its lock.
    this.#backup.close();
  }
}
