// The group-commit writer behind SqliteStore: everything handed over during
// one turn of the event loop goes into one transaction, and whenDurable
// callbacks (publisher confirms) run only after it commits and the commit is
// on disk. A message routed to several queues is one row in `messages` plus
// one small row per queue; a message acked before its batch commits is never
// written at all.
//
// Under warren.sync = full the fsync is not SQLite's: it commits with
// synchronous = NORMAL (the WAL is written, not synced) and this writer then
// fdatasyncs the WAL file off the event loop. The callbacks of a batch run
// only after an fdatasync that started after its COMMIT has returned: the
// guarantee is synchronous = FULL's, but the loop keeps reading, delivering
// and committing the next batch while the disk works, instead of stalling
// every connection for each fsync. (SQLite never overwrites WAL frames that
// are not yet checkpointed, and a checkpoint syncs the WAL and the database
// itself, so a commit is durable either in the synced WAL or in the database.)
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { clearImmediate, setImmediate } from "node:timers";
import { logger } from "../log.ts";
import type { DurableCallback, StorableEntry, StorableMessage, StreamRecordIn } from "./store.ts";
import { encodeChunk } from "./stream_chunk.ts";

const log = logger("store");

/** How long writes nobody is waiting for may wait for company. */
const LAZY_COMMIT_MS = 20;
/**
 * An outage of commits is over only once none has failed for this long:
 * near a full disk a small batch may fit while the next large one fails,
 * and that is one outage, not many.
 */
const COMMIT_OUTAGE_QUIET_MS = 5_000;
/**
 * fdatasyncs of the WAL that may run at once. A batch committed while one is
 * in flight gets its own at once rather than waiting for that one to end and
 * then for a second: each covers every commit before it started, and the
 * file system folds concurrent ones into the same journal commit.
 */
const MAX_SYNCS_IN_FLIGHT = 4;
/**
 * Rows written or deleted per statement run: each run() has a fixed cost
 * (binding, stepping, resetting) that a batch of persistent messages would
 * otherwise pay four times a message.
 */
const ROWS_PER_RUN = 16;

interface PendingRow {
  queueId: number;
  entry: StorableEntry;
  cancelled: boolean;
  deliveryCount: number;
}

type Row = Record<string, unknown>;

/** What one commit writes: everything pending when it was taken. */
interface Batch {
  messages: Map<number, StorableMessage>;
  rows: PendingRow[];
  durableRows: boolean;
  rowDeletes: number[];
  messageDeletes: number[];
  refUpdates: Set<number>;
  delivered: Map<number, number>;
  counts: number[];
  cold: (() => void)[];
  callbacks: DurableCallback[];
  streamQueues: number[];
  streamRecords: StreamRecordIn[];
  consumerOffsets: Map<number, Map<string, number>>;
}

/** Records one commit appended to one segment of a stream. */
interface SegmentRun {
  segment: number;
  first: number;
  last: number;
  records: number;
  bytes: number;
  firstTs: number;
  lastTs: number;
}

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
  /** The pending rows include a persistent message in a durable queue: the batch is fsynced. */
  #durableRows = false;
  #rowDeletes: number[] = [];
  #messageDeletes: number[] = [];
  #refUpdates = new Set<number>();
  #delivered = new Map<number, number>();
  /** (queue id, seq, count) triples of delivery counts to write. */
  #counts: number[] = [];
  /** Stream appends: queue ids and records, in append order. */
  #streamQueues: number[] = [];
  #streamRecords: StreamRecordIn[] = [];
  /** Tracked stream consumer offsets: queue id -> consumer tag -> offset. */
  #consumerOffsets = new Map<number, Map<string, number>>();
  #cold: (() => void)[] = [];
  #callbacks: DurableCallback[] = [];
  /** The pending commit: a short timer for writes nobody waits for, or an immediate when a confirm waits. */
  #commitTimer: ReturnType<typeof setTimeout> | undefined;
  #commitImmediate: ReturnType<typeof setImmediate> | undefined;
  #closed = false;
  readonly #syncFull: boolean;
  /** What PRAGMA synchronous is set to now. */
  #fullSyncNow: boolean;
  /** The WAL, fdatasynced here after commits under warren.sync = full; null: SQLite syncs (FULL). */
  #wal: Deno.FsFile | null = null;
  /** Committed, waiting for an fdatasync that has not started yet. */
  #unsynced: DurableCallback[] = [];
  /** A committed batch needs an fdatasync (with or without callbacks). */
  #syncWanted = false;
  /** The fdatasyncs in flight, oldest first, each with the callbacks it answers. */
  #syncing: DurableCallback[][] = [];
  /** Every fdatasync not yet ended, answered or not: settled() waits for them. */
  readonly #syncOps = new Set<Promise<void>>();
  readonly #s: Record<string, StatementSync>;
  /** The parameters of a batch's inserts, reused from batch to batch. */
  readonly #args: SQLInputValue[] = [];

  /** `db` has PRAGMA synchronous set as `syncFull` says. */
  constructor(db: DatabaseSync, path: string, syncFull: boolean) {
    this.#db = db;
    this.#path = path;
    this.#syncFull = syncFull;
    this.#fullSyncNow = syncFull;
    if (syncFull) {
      try {
        this.#wal = Deno.openSync(`${path}-wal`, { read: true });
        this.#setFullSync(false);
      } catch (e) {
        // Without a handle on the WAL, SQLite's own fsync at COMMIT keeps the promise.
        log.warning("cannot open the write-ahead log to sync it; commits sync on the event loop", {
          path: `${path}-wal`,
          error: (e as Error).message,
        });
      }
    }
    const p = (sql: string) => db.prepare(sql);
    const many = (tuple: string) => Array(ROWS_PER_RUN).fill(tuple).join(", ");
    this.#s = {
      insMessage: p(
        "INSERT INTO messages (id, exchange, routing_key, properties, body, persistent, refs) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      insMessages: p(
        `INSERT INTO messages (id, exchange, routing_key, properties, body, persistent, refs) VALUES ${
          many("(?, ?, ?, ?, ?, ?, ?)")
        }`,
      ),
      delMessage: p("DELETE FROM messages WHERE id = ?"),
      delMessages: p(`DELETE FROM messages WHERE id IN (${many("?")})`),
      setRefs: p("UPDATE messages SET refs = ? WHERE id = ?"),
      insRow: p(
        "INSERT OR REPLACE INTO queue_messages (queue_id, seq, message_id, transient, expires_at, delivery_count) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      insRows: p(
        `INSERT OR REPLACE INTO queue_messages (queue_id, seq, message_id, transient, expires_at, delivery_count) VALUES ${
          many("(?, ?, ?, ?, ?, ?)")
        }`,
      ),
      delRow: p("DELETE FROM queue_messages WHERE queue_id = ? AND seq = ?"),
      delRows: p(`DELETE FROM queue_messages WHERE (queue_id, seq) IN (VALUES ${many("(?, ?)")})`),
      setCount: p("UPDATE queue_messages SET delivery_count = ? WHERE queue_id = ? AND seq = ?"),
      setDelivered: p("UPDATE queues SET delivered_seq = max(delivered_seq, ?) WHERE id = ?"),
      rowsAfter: p("SELECT message_id AS id FROM queue_messages WHERE queue_id = ? AND seq > ?"),
      delRowsAfter: p("DELETE FROM queue_messages WHERE queue_id = ? AND seq > ?"),
      insStream: p(
        `INSERT INTO stream_chunks (queue_id, first_offset, last_offset, segment, first_ts, records)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      upsertSegment: p(
        `INSERT INTO stream_segments (queue_id, segment, first_offset, last_offset, records, bytes, first_ts, last_ts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (queue_id, segment) DO UPDATE SET last_offset = excluded.last_offset,
           records = records + excluded.records, bytes = bytes + excluded.bytes, last_ts = excluded.last_ts`,
      ),
      setConsumerOffset: p(
        "INSERT OR REPLACE INTO stream_consumer_offsets (queue_id, consumer_tag, stream_offset) VALUES (?, ?, ?)",
      ),
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
    if (m.persistent && queueId > 0) this.#durableRows = true;
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

  // ---- streams ------------------------------------------------------

  appendStreamRecord(queueId: number, record: StreamRecordIn): void {
    this.#streamQueues.push(queueId);
    this.#streamRecords.push(record);
    this.#schedule();
  }

  /** Not fsynced on its own: a lost one resumes a consumer a little earlier, it loses nothing. */
  saveConsumerOffset(queueId: number, consumerTag: string, offset: number): void {
    let tags = this.#consumerOffsets.get(queueId);
    if (tags === undefined) this.#consumerOffsets.set(queueId, tags = new Map());
    tags.set(consumerTag, offset);
    this.#schedule();
  }

  /** A tracked offset not yet written, or undefined. */
  pendingConsumerOffset(queueId: number, consumerTag: string): number | undefined {
    return this.#consumerOffsets.get(queueId)?.get(consumerTag);
  }

  /** Deletes a queue's written rows after `afterSeq`; run it inside `now`, after the pending rows are written. */
  releaseRowsAfter(queueId: number, afterSeq: number): void {
    for (const r of this.#s.rowsAfter.all(queueId, afterSeq) as Row[]) this.#release(r.id as number);
    this.#s.delRowsAfter.run(queueId, afterSeq);
  }

  // ---- commits --------------------------------------------------------

  whenDurable(callback: DurableCallback): void {
    if (this.#commitTimer === undefined && this.#commitImmediate === undefined) {
      if (this.#syncing.length === 0 && !this.#syncWanted) {
        callback(true);
        return;
      }
      // Committed, perhaps not yet on disk: the next fdatasync covers it.
      this.#unsynced.push(callback);
      this.#syncWanted = true;
      this.#startSync();
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
    const b = this.#takeBatch();
    if (b === null) return;
    // A batch that only removes (acks, delivery marks) or pages transient messages out, and that
    // nobody waits for, is not fsynced: losing it in a power cut brings acked messages back as
    // redeliveries, never loses one (RabbitMQ does not sync acks either), and it spares a consumer
    // that acks a stream (a shovel draining a queue) an fsync per batch. The next synced commit
    // makes it durable with everything before it, since the WAL is written in order.
    const needsSync = this.#syncFull &&
      (b.durableRows || b.cold.length > 0 || b.counts.length > 0 || b.streamRecords.length > 0 ||
        b.callbacks.length > 0);
    let ok = true;
    try {
      if (this.#wal === null) this.#setFullSync(needsSync);
      this.#db.exec("BEGIN");
      this.#write(b);
      this.#db.exec("COMMIT");
      if (this.#failedCommits > 0 && Date.now() - this.#lastFailedCommitMs >= COMMIT_OUTAGE_QUIET_MS) {
        log.info("store commits succeed again", { path: this.#path, failed_batches: this.#failedCommits });
        this.#failedCommits = 0;
      }
    } catch (e) {
      ok = false;
      this.#commitFailed(b, e as Error);
    }
    if (ok && needsSync && this.#wal !== null) {
      for (const cb of b.callbacks) this.#unsynced.push(cb);
      this.#syncWanted = true;
      this.#startSync();
      return;
    }
    for (const cb of b.callbacks) cb(ok);
  }

  /** Hands over what is pending and starts a new batch; null (its callbacks answered) when it holds nothing. */
  #takeBatch(): Batch | null {
    const b: Batch = {
      messages: this.#pendingMessages,
      rows: this.#pendingRows,
      durableRows: this.#durableRows,
      rowDeletes: this.#rowDeletes,
      messageDeletes: this.#messageDeletes,
      refUpdates: this.#refUpdates,
      delivered: this.#delivered,
      counts: this.#counts,
      cold: this.#cold,
      callbacks: this.#callbacks,
      streamQueues: this.#streamQueues,
      streamRecords: this.#streamRecords,
      consumerOffsets: this.#consumerOffsets,
    };
    this.#pendingMessages = new Map();
    this.#pendingRows = [];
    this.#durableRows = false;
    this.#rowDeletes = [];
    this.#messageDeletes = [];
    this.#refUpdates = new Set();
    this.#delivered = new Map();
    this.#counts = [];
    this.#cold = [];
    this.#callbacks = [];
    if (b.streamRecords.length > 0) {
      this.#streamQueues = [];
      this.#streamRecords = [];
    }
    if (b.consumerOffsets.size > 0) this.#consumerOffsets = new Map();
    if (
      b.messages.size + b.rows.length + b.rowDeletes.length + b.messageDeletes.length + b.refUpdates.size +
          b.cold.length + b.counts.length + b.streamRecords.length + b.consumerOffsets.size +
          b.delivered.size === 0
    ) {
      for (const cb of b.callbacks) cb(true);
      return null;
    }
    return b;
  }

  /** The batch's statements, inside the caller's transaction. */
  #write(b: Batch): void {
    const s = this.#s;
    const args = this.#args;
    for (const m of b.messages.values()) {
      args.push(
        m.storeId,
        m.exchange,
        m.routingKey,
        m.rawProperties,
        m.body,
        m.persistent ? 1 : 0,
        this.#sharedRefs.get(m.storeId) ?? 1,
      );
    }
    runInChunks(s.insMessages, s.insMessage, args, 7);
    const rows = b.rows;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r.cancelled) continue;
      r.entry.storeRow = null;
      const e = r.entry;
      args.push(
        r.queueId,
        e.seq,
        e.message.storeId,
        e.message.persistent && r.queueId > 0 ? 0 : 1,
        e.expiresAt,
        r.deliveryCount,
      );
    }
    runInChunks(s.insRows, s.insRow, args, 6);
    const counts = b.counts;
    for (let i = 0; i < counts.length; i += 3) s.setCount.run(counts[i + 2], counts[i], counts[i + 1]);
    runInChunks(s.delRows, s.delRow, b.rowDeletes, 2);
    runInChunks(s.delMessages, s.delMessage, b.messageDeletes, 1);
    for (const id of b.refUpdates) s.setRefs.run(this.#sharedRefs.get(id) ?? 1, id);
    this.#writeStream(b.streamQueues, b.streamRecords);
    for (const [queueId, tags] of b.consumerOffsets) {
      for (const [tag, offset] of tags) s.setConsumerOffset.run(queueId, tag, offset);
    }
    for (const op of b.cold) op();
    for (const [queueId, seq] of b.delivered) s.setDelivered.run(seq, queueId);
  }

  /** Rolls a failed batch back; one log line per outage, not per batch (a full disk fails every commit). */
  #commitFailed(b: Batch, e: Error): void {
    this.#args.length = 0;
    for (const r of b.rows) r.entry.storeRow = null;
    try {
      this.#db.exec("ROLLBACK");
    } catch { /* no transaction left to roll back */ }
    if (this.#failedCommits++ === 0) {
      log.error("store commit failed; confirms are nacked until commits succeed again", {
        path: this.#path,
        error: e.message,
      });
    }
    this.#lastFailedCommitMs = Date.now();
  }

  /**
   * A stream's records of one commit to one segment are one chunk, one row.
   * Each segment's summary row grows by what it got.
   */
  #writeStream(queues: number[], records: StreamRecordIn[]): void {
    if (records.length === 0) return;
    // Group each stream's records, keeping their order: a turn may interleave several streams.
    const byQueue = new Map<number, StreamRecordIn[]>();
    for (let i = 0; i < records.length; i++) {
      const list = byQueue.get(queues[i]);
      if (list === undefined) byQueue.set(queues[i], [records[i]]);
      else list.push(records[i]);
    }
    for (const [q, list] of byQueue) {
      let start = 0;
      for (let i = 1; i <= list.length; i++) {
        if (i < list.length && list[i].segment === list[start].segment) continue;
        this.#writeChunk(q, list, start, i);
        start = i;
      }
    }
  }

  #writeChunk(queueId: number, records: StreamRecordIn[], from: number, to: number): void {
    const first = records[from];
    const last = records[to - 1];
    let bytes = 0;
    for (let i = from; i < to; i++) bytes += records[i].rawProperties.length + records[i].body.length;
    this.#s.insStream.run(
      queueId,
      first.offset,
      last.offset,
      first.segment,
      first.timestamp,
      encodeChunk(records, from, to),
    );
    this.#writeSegmentRun(queueId, {
      segment: first.segment,
      first: first.offset,
      last: last.offset,
      records: to - from,
      bytes,
      firstTs: first.timestamp,
      lastTs: last.timestamp,
    });
  }

  #writeSegmentRun(queueId: number, run: SegmentRun): void {
    this.#s.upsertSegment.run(
      queueId,
      run.segment,
      run.first,
      run.last,
      run.records,
      run.bytes,
      run.firstTs,
      run.lastTs,
    );
  }

  /** Starts an fdatasync of the WAL for the commits so far (when too many run, the next to end starts it). */
  #startSync(): void {
    const wal = this.#wal;
    if (wal === null || !this.#syncWanted || this.#closed || this.#syncing.length >= MAX_SYNCS_IN_FLIGHT) {
      return;
    }
    const waiting = this.#unsynced;
    this.#unsynced = [];
    this.#syncWanted = false;
    this.#syncing.push(waiting);
    const op = wal.syncData().then(() => this.#synced(waiting, true), (e: Error) => {
      log.error("fsync of the write-ahead log failed; its confirms are nacked", {
        path: `${this.#path}-wal`,
        error: e.message,
      });
      this.#synced(waiting, false);
    }).finally(() => this.#syncOps.delete(op));
    this.#syncOps.add(op);
  }

  #synced(waiting: DurableCallback[], ok: boolean): void {
    const i = this.#syncing.indexOf(waiting);
    // answered already: by a later fdatasync that ended first, or by close()
    if (i < 0) return;
    // A successful one also covers every commit of the older ones still running.
    const done = ok ? this.#syncing.splice(0, i + 1) : this.#syncing.splice(i, 1);
    for (const callbacks of done) for (const cb of callbacks) cb(ok);
    this.#startSync();
  }

  /** Resolves once no fdatasync is running: await it before close(), which syncs on the event loop. */
  async settled(): Promise<void> {
    while (this.#syncOps.size > 0) await Promise.all(this.#syncOps);
  }

  /** Commits what is pending and syncs it; from now on nothing schedules a commit. */
  close(): void {
    this.flush();
    this.#closed = true;
    const wal = this.#wal;
    if (wal === null) return;
    this.#wal = null;
    const waiting = [...this.#syncing.flat(), ...this.#unsynced];
    this.#syncing = [];
    this.#unsynced = [];
    let ok = true;
    try {
      wal.syncDataSync();
    } catch (e) {
      ok = false;
      log.error("fsync of the write-ahead log failed at close", {
        path: `${this.#path}-wal`,
        error: String(e),
      });
    }
    wal.close();
    for (const cb of waiting) cb(ok);
  }
}

/**
 * Runs `many` (ROWS_PER_RUN tuples) over `params`, `width` values a tuple,
 * and `one` for the tuples left over; empties `params`.
 */
function runInChunks(
  many: StatementSync,
  one: StatementSync,
  params: SQLInputValue[],
  width: number,
): void {
  const chunk = ROWS_PER_RUN * width;
  let i = 0;
  for (; i + chunk <= params.length; i += chunk) many.run(...params.slice(i, i + chunk));
  for (; i < params.length; i += width) one.run(...params.slice(i, i + width));
  params.length = 0;
}
