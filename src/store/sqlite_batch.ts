// The group-commit writer behind SqliteStore: everything handed over during
// one turn of the event loop goes into one transaction, and whenDurable
// callbacks (publisher confirms) run only after it commits. A message routed
// to several queues is one row in `messages` plus one small row per queue; a
// message acked before its batch commits is never written at all.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { clearImmediate, setImmediate } from "node:timers";
import { logger } from "../log.ts";
import type { DurableCallback, StorableEntry, StorableMessage } from "./store.ts";

const log = logger("store");

/** How long writes nobody is waiting for may wait for company. */
const LAZY_COMMIT_MS = 20;
/**
 * An outage of commits is over only once none has failed for this long:
 * near a full disk a small batch may fit while the next large one fails,
 * and that is one outage, not many.
 */
const COMMIT_OUTAGE_QUIET_MS = 5_000;

interface PendingRow {
  queueId: number;
  entry: StorableEntry;
  cancelled: boolean;
  deliveryCount: number;
}

/** Everything one commit writes, taken from the writer at once. */
interface PendingBatch {
  messages: Map<number, StorableMessage>;
  rows: PendingRow[];
  rowDeletes: number[];
  messageDeletes: number[];
  refUpdates: Set<number>;
  delivered: Map<number, number>;
  counts: number[];
  cold: (() => void)[];
  callbacks: DurableCallback[];
}

type Row = Record<string, unknown>;

export class BatchWriter {
  readonly #db: DatabaseSync;
  readonly #path: string;
  #lastMessageId = 0;
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
  readonly #syncFull: boolean;
  /** What PRAGMA synchronous is set to now. */
  #fullSyncNow: boolean;
  readonly #s: Record<string, StatementSync>;

  /** `db` has PRAGMA synchronous set as `syncFull` says. */
  constructor(db: DatabaseSync, path: string, syncFull: boolean) {
    this.#db = db;
    this.#path = path;
    this.#syncFull = syncFull;
    this.#fullSyncNow = syncFull;
    const p = (sql: string) => db.prepare(sql);
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
      rowsAfter: p("SELECT message_id AS id FROM queue_messages WHERE queue_id = ? AND seq > ?"),
      delRowsAfter: p("DELETE FROM queue_messages WHERE queue_id = ? AND seq > ?"),
    };
  }

  /** What the loaded file already holds: the shared messages' reference counts and the last message id. */
  restore(sharedRefs: Iterable<[number, number]>, lastMessageId: number): void {
    for (const [id, refs] of sharedRefs) this.#sharedRefs.set(id, refs);
    this.#lastMessageId = lastMessageId;
  }

  /** A statement run in the next batch (entities: the cold path). */
  cold(op: () => void): void {
    this.#cold.push(op);
    this.#schedule();
  }

  /** Commits what is pending, then runs `fn` and commits again: for range deletes that must not race the batch. */
  now(fn: () => void): void {
    this.flush();
    this.#cold.push(fn);
    this.flush();
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

  /** Deletes a queue's written rows after `afterSeq`; run it inside `now`, after the pending rows are written. */
  releaseRowsAfter(queueId: number, afterSeq: number): void {
    for (const r of this.#s.rowsAfter.all(queueId, afterSeq) as Row[]) this.#release(r.id as number);
    this.#s.delRowsAfter.run(queueId, afterSeq);
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
    const batch = this.#takePending();
    if (
      batch.messages.size + batch.rows.length + batch.rowDeletes.length + batch.messageDeletes.length +
          batch.refUpdates.size + batch.cold.length + batch.counts.length + batch.delivered.size === 0
    ) {
      for (const cb of batch.callbacks) cb(true);
      return;
    }
    let ok = true;
    try {
      // A batch that only removes (acks, delivery marks) and that nobody waits for is not
      // fsynced: losing it in a power cut brings acked messages back as redeliveries, never loses
      // one (RabbitMQ does not sync acks either), and it spares a consumer that acks a stream
      // (a shovel draining a queue) an event-loop stall per batch. The next synced commit
      // makes it durable with everything before it, since the WAL is written in order.
      this.#setFullSync(
        this.#syncFull &&
          !(batch.messages.size === 0 && batch.rows.length === 0 && batch.cold.length === 0 &&
            batch.counts.length === 0 && batch.callbacks.length === 0),
      );
      this.#db.exec("BEGIN");
      this.#write(batch);
      this.#db.exec("COMMIT");
      if (this.#failedCommits > 0 && Date.now() - this.#lastFailedCommitMs >= COMMIT_OUTAGE_QUIET_MS) {
        log.info("store commits succeed again", { path: this.#path, failed_batches: this.#failedCommits });
        this.#failedCommits = 0;
      }
    } catch (e) {
      ok = false;
      this.#commitFailed(e, batch.rows);
    }
    for (const cb of batch.callbacks) cb(ok);
  }

  /** What the next commit writes; the writer starts collecting a new batch. */
  #takePending(): PendingBatch {
    const batch: PendingBatch = {
      messages: this.#pendingMessages,
      rows: this.#pendingRows,
      rowDeletes: this.#rowDeletes,
      messageDeletes: this.#messageDeletes,
      refUpdates: this.#refUpdates,
      delivered: this.#delivered,
      counts: this.#counts,
      cold: this.#cold,
      callbacks: this.#callbacks,
    };
    this.#pendingMessages = new Map();
    this.#pendingRows = [];
    this.#rowDeletes = [];
    this.#messageDeletes = [];
    this.#refUpdates = new Set();
    this.#delivered = new Map();
    this.#counts = [];
    this.#cold = [];
    this.#callbacks = [];
    return batch;
  }

  /** The batch's statements, inside the open transaction. */
  #write(batch: PendingBatch): void {
    const s = this.#s;
    for (const m of batch.messages.values()) {
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
    const { rows, counts, rowDeletes, messageDeletes } = batch;
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
    for (const id of batch.refUpdates) s.setRefs.run(this.#sharedRefs.get(id) ?? 1, id);
    for (const op of batch.cold) op();
    for (const [queueId, seq] of batch.delivered) s.setDelivered.run(seq, queueId);
  }

  /** Rolls back a failed commit; the batch's confirms are nacked by the caller. */
  #commitFailed(e: unknown, rows: readonly PendingRow[]): void {
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

  /** Commits what is pending; from now on nothing schedules a commit. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
