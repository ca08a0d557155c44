// The durable store: one SQLite file in WAL mode through node:sqlite.
// Writes are group-committed: everything handed over during one turn of the
// event loop goes into one transaction, and whenDurable callbacks (publisher
// confirms) run only after it commits. A message routed to several queues
// is one row in `messages` plus one small row per queue; a message acked
// before its batch commits is never written at all.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { clearImmediate, setImmediate } from "node:timers";
import { fieldTableKey } from "../amqp/field_table.ts";
import { readSnapshot, type SnapshotRead } from "./sqlite_snapshot.ts";
import { backupTarget, copyFileInSteps } from "./sqlite_backup.ts";
import { inspectWal, type WalDamage } from "./wal_file.ts";
import { encodeTable } from "./table_blob.ts";
import { logger } from "../log.ts";
import { migrate, refuseForeignFile, SchemaError } from "./schema.ts";
import { BackupError, type BackupProgress, type BackupResult } from "./store.ts";
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
  StorableMessage,
  Store,
  StoreSnapshot,
  UserRecord,
} from "./store.ts";

const log = logger("store");

export type SyncLevel = "full" | "normal";
export const SYNC_LEVELS: readonly SyncLevel[] = ["full", "normal"];

/** How long writes nobody is waiting for may wait for company. */
const LAZY_COMMIT_MS = 20;
/**
 * An outage of commits is over only once none has failed for this long:
 * near a full disk a small batch may fit while the next large one fails,
 * and that is one outage, not many.
 */
const COMMIT_OUTAGE_QUIET_MS = 5_000;

/** A data file that cannot be used: wrong format, locked, unreadable. One line for the operator. */
export class StoreError extends Error {}

interface PendingRow {
  queueId: number;
  entry: StorableEntry;
  cancelled: boolean;
  deliveryCount: number;
}

type Row = Record<string, unknown>;

export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #path: string;
  #lastMessageId = 0;
  #lastQueueId = 0;
  #lastDelayedId = 0;
  /** Batches that failed to commit in the current outage. */
  #failedCommits = 0;
  #lastFailedCommitMs = 0;
  /** Rows referencing a message, for messages referenced by more than one row. */
  readonly #sharedRefs = new Map<number, number>();
  #pendingMessages = new Map<number, StorableMessage>();
  #pendingRows: PendingRow[] = [];
  #rowDeletes: number[] = [];
  #messageDeletes: number[] = [];
  #refUpdates = new Set<number>();
  #delivered = new Map<number, number>();
  /** (queue id, seq, count) triples of delivery counts to write. */
  #counts: number[] = [];
  #cold: (() => void)[] = [];
  #callbacks: DurableCallback[] = [];
  /** The pending commit: a short timer for writes nobody waits for, or an immediate when a confirm waits. */
  #commitTimer: ReturnType<typeof setTimeout> | undefined;
  #commitImmediate: ReturnType<typeof setImmediate> | undefined;
  #closed = false;
  readonly #s: Record<string, StatementSync>;
  #backup: BackupProgress | null = null;
  /** Kept open until the store closes: closing a descriptor of the file would drop SQLite's lock on it. */
  #backupSource: Deno.FsFile | null = null;

  constructor(path: string, options: { sync: SyncLevel }) {
    this.#path = path;
    this.#syncFull = options.sync === "full";
    this.#fullSyncNow = this.#syncFull;
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
    const p = (sql: string) => this.#db.prepare(sql);
    this.#s = {
      insMessage: p(
        "INSERT INTO messages (id, exchange, routing_key, properties, body, persistent, refs) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      delMessage: p("DELETE FROM messages WHERE id = ?"),
      setRefs: p("UPDATE messages SET refs = ? WHERE id = ?"),
      insRow: p(
        "INSERT OR REPLACE INTO queue_messages (queue_id, seq, message_id, transient, expires_at, delivery_count) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      delRow: p("DELETE FROM queue_messages WHERE queue_id = ? AND seq = ?"),
      setCount: p("UPDATE queue_messages SET delivery_count = ? WHERE queue_id = ? AND seq = ?"),
      setDelivered: p("UPDATE queues SET delivered_seq = max(delivered_seq, ?) WHERE id = ?"),
      load: p(
        `SELECT qm.seq AS seq, qm.expires_at AS expires_at, qm.delivery_count AS delivery_count, m.id AS id, m.exchange AS exchange, m.routing_key AS routing_key,
                m.properties AS properties, m.body AS body, m.persistent AS persistent
         FROM queue_messages qm JOIN messages m ON m.id = qm.message_id
         WHERE qm.queue_id = ? AND qm.seq > ? ORDER BY qm.seq LIMIT ?`,
      ),
      rowsAfter: p("SELECT message_id AS id FROM queue_messages WHERE queue_id = ? AND seq > ?"),
      delRowsAfter: p("DELETE FROM queue_messages WHERE queue_id = ? AND seq > ?"),
    };
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
    for (const [id, refs] of r.sharedRefs) this.#sharedRefs.set(id, refs);
    this.#lastMessageId = r.lastMessageId;
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
    this.#cold.push(() => this.#db.prepare(sql).run(...params));
    this.#schedule();
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
  deleteQueue(queueId: number): void {
    this.#now(() => {
      this.#releaseRowsAfter(queueId, 0);
      this.#db.prepare("DELETE FROM queues WHERE id = ?").run(queueId);
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

  // ---- messages (hot path: no SQL until the batch commits) -----------

  addMessage(queueId: number, entry: StorableEntry): void {
    const m = entry.message;
    if (m.storeId === 0) {
      m.storeId = ++this.#lastMessageId;
      this.#pendingMessages.set(m.storeId, m);
    } else {
      this.#sharedRefs.set(m.storeId, (this.#sharedRefs.get(m.storeId) ?? 1) + 1);
      if (!this.#pendingMessages.has(m.storeId)) this.#refUpdates.add(m.storeId);
    }
    const row: PendingRow = { queueId, entry, cancelled: false, deliveryCount: entry.deliveryCount };
    entry.storeRow = row;
    this.#pendingRows.push(row);
    this.#schedule();
  }

  removeMessage(queueId: number, entry: StorableEntry): void {
    const row = entry.storeRow as PendingRow | null;
    if (row) {
      row.cancelled = true;
      entry.storeRow = null;
    } else {
      this.#rowDeletes.push(queueId, entry.seq);
    }
    this.#release(entry.message.storeId);
    this.#schedule();
  }

  /** One row no longer references the message; the message goes with its last row. */
  #release(id: number): void {
    const refs = this.#sharedRefs.get(id);
    if (refs !== undefined) {
      if (refs > 2) this.#sharedRefs.set(id, refs - 1);
      else this.#sharedRefs.delete(id);
      if (!this.#pendingMessages.has(id)) this.#refUpdates.add(id);
      return;
    }
    // Never written: forget the pending insert instead of writing and deleting it.
    if (this.#pendingMessages.delete(id)) return;
    this.#refUpdates.delete(id);
    this.#messageDeletes.push(id);
  }

  setDeliveryCount(queueId: number, entry: StorableEntry, count: number): void {
    // A row not yet written goes out with the count; only a written one needs an update.
    const row = entry.storeRow as PendingRow | null;
    if (row !== null) {
      row.deliveryCount = count;
      return;
    }
    this.#counts.push(queueId, entry.seq, count);
    this.#schedule();
  }

  markDelivered(queueId: number, seq: number): void {
    if (seq > (this.#delivered.get(queueId) ?? 0)) {
      this.#delivered.set(queueId, seq);
      this.#schedule();
    }
  }

  loadMessages(queueId: number, afterSeq: number, limit: number): LoadedMessage[] {
    this.flush();
    const rows = this.#s.load.all(queueId, afterSeq, limit) as Row[];
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
    this.#now(() => this.#releaseRowsAfter(queueId, afterSeq));
  }

  #releaseRowsAfter(queueId: number, afterSeq: number): void {
    for (const r of this.#s.rowsAfter.all(queueId, afterSeq) as Row[]) this.#release(r.id as number);
    this.#s.delRowsAfter.run(queueId, afterSeq);
  }

  /** Commits what is pending, then runs `fn` and commits again: for range deletes that must not race the batch. */
  #now(fn: () => void): void {
    this.flush();
    this.#cold.push(fn);
    this.flush();
  }

  // ---- commits --------------------------------------------------------

  whenDurable(callback: DurableCallback): void {
    if (this.#commitTimer === undefined && this.#commitImmediate === undefined) {
      callback(true);
      return;
    }
    this.#callbacks.push(callback);
    if (this.#commitImmediate === undefined) {
      // Someone waits for this batch: commit once this turn's I/O is handled. (setTimeout(0)
      // would wait ~2 ms on this kind of machine; setImmediate runs after the current reads.)
      clearTimeout(this.#commitTimer);
      this.#commitTimer = undefined;
      this.#commitImmediate = setImmediate(this.#commitBatch);
    }
  }

  /**
   * Writes nobody waits for (acks, delivery marks, unconfirmed publishes)
   * ride along with the next batch or go out after a short pause, so a
   * stream of acks does not cost one fsync per turn.
   */
  #schedule(): void {
    if (this.#commitTimer === undefined && this.#commitImmediate === undefined && !this.#closed) {
      this.#commitTimer = setTimeout(this.#commitBatch, LAZY_COMMIT_MS);
    }
  }

  readonly #syncFull: boolean;
  /** What PRAGMA synchronous is set to now. */
  #fullSyncNow: boolean;

  #setFullSync(full: boolean): void {
    if (full === this.#fullSyncNow) return;
    this.#db.exec(`PRAGMA synchronous = ${full ? "FULL" : "NORMAL"}`);
    this.#fullSyncNow = full;
  }

  #commitBatch = (): void => {
    this.flush();
  };

  flush(): void {
    clearImmediate(this.#commitImmediate);
    this.#commitImmediate = undefined;
    if (this.#commitTimer !== undefined) {
      clearTimeout(this.#commitTimer);
      this.#commitTimer = undefined;
    }
    const messages = this.#pendingMessages;
    const rows = this.#pendingRows;
    const rowDeletes = this.#rowDeletes;
    const messageDeletes = this.#messageDeletes;
    const refUpdates = this.#refUpdates;
    const delivered = this.#delivered;
    const counts = this.#counts;
    const cold = this.#cold;
    const callbacks = this.#callbacks;
    this.#pendingMessages = new Map();
    this.#pendingRows = [];
    this.#rowDeletes = [];
    this.#messageDeletes = [];
    this.#refUpdates = new Set();
    this.#delivered = new Map();
    this.#counts = [];
    this.#cold = [];
    this.#callbacks = [];
    if (
      messages.size + rows.length + rowDeletes.length + messageDeletes.length + refUpdates.size +
          cold.length + counts.length +
          delivered.size === 0
    ) {
      for (const cb of callbacks) cb(true);
      return;
    }
    let ok = true;
    const s = this.#s;
    try {
      // A batch that only removes (acks, delivery marks) and that nobody waits for is not
      // fsynced: losing it in a power cut brings acked messages back as redeliveries, never loses
      // one (RabbitMQ does not sync acks either), and it spares a consumer that acks a stream
      // (a shovel draining a queue) an event-loop stall per batch. The next synced commit
      // makes it durable with everything before it, since the WAL is written in order.
      this.#setFullSync(
        this.#syncFull &&
          !(messages.size === 0 && rows.length === 0 && cold.length === 0 && counts.length === 0 &&
            callbacks.length === 0),
      );
      this.#db.exec("BEGIN");
      for (const m of messages.values()) {
        s.insMessage.run(
          m.storeId,
          m.exchange,
          m.routingKey,
          m.rawProperties,
          m.body,
          m.persistent ? 1 : 0,
          this.#sharedRefs.get(m.storeId) ?? 1,
        );
      }
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        if (r.cancelled) continue;
        r.entry.storeRow = null;
        const e = r.entry;
        s.insRow.run(
          r.queueId,
          e.seq,
          e.message.storeId,
          e.message.persistent ? 0 : 1,
          e.expiresAt,
          r.deliveryCount,
        );
      }
      for (let i = 0; i < counts.length; i += 3) s.setCount.run(counts[i + 2], counts[i], counts[i + 1]);
      for (let i = 0; i < rowDeletes.length; i += 2) s.delRow.run(rowDeletes[i], rowDeletes[i + 1]);
      for (let i = 0; i < messageDeletes.length; i++) s.delMessage.run(messageDeletes[i]);
      for (const id of refUpdates) s.setRefs.run(this.#sharedRefs.get(id) ?? 1, id);
      for (const op of cold) op();
      for (const [queueId, seq] of delivered) s.setDelivered.run(seq, queueId);
      this.#db.exec("COMMIT");
      if (this.#failedCommits > 0 && Date.now() - this.#lastFailedCommitMs >= COMMIT_OUTAGE_QUIET_MS) {
        log.info("store commits succeed again", { path: this.#path, failed_batches: this.#failedCommits });
        this.#failedCommits = 0;
      }
    } catch (e) {
      ok = false;
      for (const r of rows) r.entry.storeRow = null;
      try {
        this.#db.exec("ROLLBACK");
      } catch { /* no transaction left to roll back */ }
      // One line per outage, not per batch: a full disk fails every commit until space returns.
      if (this.#failedCommits++ === 0) {
        log.error("store commit failed; confirms are nacked until commits succeed again", {
          path: this.#path,
          error: (e as Error).message,
        });
      }
      this.#lastFailedCommitMs = Date.now();
    }
    for (const cb of callbacks) cb(ok);
  }

  // ---- online backup --------------------------------------------------

  get backupProgress(): BackupProgress | null {
    return this.#backup;
  }

  /**
   * Everything committed so far is checkpointed into the main file, which
   * then does not change until checkpoints resume: the copy of it is the
   * node as of this moment (see sqlite_backup.ts).
   */
  async backup(requested: string): Promise<BackupResult> {
    if (this.#closed) throw new BackupError("the node is stopping");
    const file = backupTarget(requested);
    if (this.#backup !== null) throw new BackupError(`a backup to ${this.#backup.file} is already running`);
    if (this.#ownFiles().includes(file)) throw new BackupError(`${file} is the node's own data file`);
    const progress: BackupProgress = { file, copiedBytes: 0, totalBytes: 0, startedAt: Date.now() };
    this.#backup = progress;
    const pragma = (sql: string) => this.#db.prepare(sql).get() as Row;
    const autoCheckpoint = pragma("PRAGMA wal_autocheckpoint").wal_autocheckpoint as number;
    try {
      this.flush();
      this.#db.exec("PRAGMA wal_autocheckpoint = 0");
      if (pragma("PRAGMA wal_checkpoint(TRUNCATE)").busy !== 0) {
        throw new BackupError("the write-ahead log could not be checkpointed");
      }
      progress.totalBytes = (pragma("PRAGMA page_count").page_count as number) *
        (pragma("PRAGMA page_size").page_size as number);
      this.#backupSource ??= Deno.openSync(this.#path, { read: true });
      await copyFileInSteps(this.#backupSource, file, progress, () => this.#closed);
      return { file, bytes: progress.totalBytes, ms: Date.now() - progress.startedAt };
    } finally {
      this.#backup = null;
      if (!this.#closed) this.#db.exec(`PRAGMA wal_autocheckpoint = ${autoCheckpoint}`);
    }
  }

  /** The data file and SQLite's files beside it, by absolute path. */
  #ownFiles(): string[] {
    let path = this.#path;
    try {
      path = Deno.realPathSync(path);
    } catch { /* compared as configured */ }
    return [path, ...TRACE_SUFFIXES.map((s) => path + s)];
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    this.#db.close();
    // Only now: the database has let go of its lock.
    this.#backupSource?.close();
    this.#backupSource = null;
  }
}

/** Files SQLite leaves beside a database; any of them without the database means data went missing. */
const TRACE_SUFFIXES = ["-wal", "-journal", "-shm"];

/**
 * Why start-up must stop when the database file is gone or empty while the
 * node held data: SQLite would silently start a fresh, empty database.
 * Null when the file is there with content, or when nothing is there at all
 * (a first start).
 */
function missingDatabase(path: string): string | null {
  let size: number | null;
  try {
    size = Deno.statSync(path).size;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return null; // SQLite reports it when opening
    size = null;
  }
  if (size !== null && size > 0) return null;
  const traces = TRACE_SUFFIXES.map((s) => path + s).filter((p) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  });
  if (size === null && traces.length === 0) return null;
  const state = size === null ? "is missing" : "is empty (0 bytes)";
  const beside = traces.length > 0
    ? ` while ${traces.join(" and ")} ${traces.length > 1 ? "are" : "is"} present`
    : "";
  return `${path} ${state}${beside}: refusing to start an empty node in place of the data it held ` +
    `(restore it from a backup, or remove ${
      [size === null ? [] : [path], traces].flat().join(" and ")
    } to start empty)`;
}

function describeOpenError(path: string, e: Error): string {
  const msg = e.message;
  if (/locked|busy/i.test(msg)) return `${path} is locked: another Warren node is using this data dir`;
  if (/malformed/i.test(msg)) return `${path} is damaged (${msg}): restore it from a backup`;
  if (/not a database/i.test(msg)) return `${path} is not a Warren data file (${msg})`;
  if (/readonly|read-only|unable to open|permission/i.test(msg)) {
    return `cannot open ${path} for writing (${msg})`;
  }
  return `cannot open ${path}: ${msg}`;
}
