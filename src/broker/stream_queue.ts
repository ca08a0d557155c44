// A stream queue (x-queue-type stream) with RabbitMQ 3.10's observable
// semantics over AMQP 0-9-1: an append-only log that consumers read by
// offset without removing anything.
//
// - Every published message is a record at the next offset (0, 1, 2, …),
//   appended to the store and confirmed after the group commit that makes
//   it durable (`storesEveryMessage`). Consumers get a record only once it
//   is durable: the store reads back committed records only, and the queue
//   dispatches again when a commit lands.
// - A chunk is what one commit wrote to one segment of the stream, stored
//   as one row (in --in-memory mode, every record is a chunk of its own). `last` starts at the first record
//   of the newest chunk; a timestamp starts at the first chunk written at or
//   after it.
// - A segment is a run of records up to x-stream-max-segment-size-bytes
//   (property and body bytes). Retention (x-max-length-bytes, x-max-age)
//   removes whole segments from the head, never the one being written,
//   when a segment rolls over and every RETENTION_CHECK_MS; a consumer that
//   fell behind goes on from the new head.
// - Each consumer reads ahead at most one batch (READ_BATCH_RECORDS records
//   or about READ_BATCH_BYTES, rounded up to the end of a chunk), so memory
//   does not grow with the length of the stream or the number of readers.
//   Acks only return credit.
// - Beyond RabbitMQ, as LavinMQ does: server-side offset tracking (a
//   consumer with a tag of its own that sets x-stream-offset to void, or
//   x-stream-automatic-offset-tracking true, resumes after its last acked
//   record, across reconnects and restarts), and filtering (records carry
//   the publisher's x-stream-filter-value header, a value or a
//   comma-separated list; a consumer with x-stream-filter, a value, a
//   comma-separated list or an array, gets only records with one of its values, plus records without
//   any when x-stream-match-unfiltered is true).
import { ConnectionError, preconditionFailed, REPLY_NOT_IMPLEMENTED } from "../amqp/errors.ts";
import type { FieldTable } from "../amqp/field_table.ts";
import { withLongHeader } from "../amqp/properties.ts";
import { present } from "../assert.ts";
import type { Store, StreamRecord, StreamSegment } from "../store/store.ts";
import type { Consumer } from "./consumer.ts";
import { Message, QueueEntry } from "./message.ts";
import { Queue, type QueueOptions, type QueueStorage } from "./queue.ts";
import { NO_SETTINGS, type QueueSettings } from "./queue_settings.ts";
import { parseStreamOffset, type StreamOffsetSpec } from "./stream_args.ts";

/** RabbitMQ's default x-stream-max-segment-size-bytes. */
export const DEFAULT_SEGMENT_BYTES = 500_000_000;
/** A reader holds at most this many records read ahead... */
export const READ_BATCH_RECORDS = 256;
/** ...and, judged by the stream's average record, about this many bytes (at least one record). */
export const READ_BATCH_BYTES = 1024 * 1024;
/** Retention also runs this often, for x-max-age on a stream nobody writes to. */
export const RETENTION_CHECK_MS = 60_000;
/** One dispatch reads at most this many batches for a reader; a filter may skip many, so it goes on next turn. */
const READ_BATCHES_PER_DISPATCH = 16;
/** The header every delivery carries its offset in. */
const OFFSET_HEADER = "x-stream-offset";
/** The headers flag in the high byte of the raw property flags. */
const HEADERS_FLAG_HIGH_BYTE = 0x20;
/** Tags the server made up (basic.consume with an empty tag) name no one: their offsets are not tracked. */
const GENERATED_TAG_PREFIX = "amq.ctag-";

/** Which records a filtering consumer gets. */
interface StreamFilter {
  values: ReadonlySet<string>;
  matchUnfiltered: boolean;
}

class StreamReader {
  /** Records read ahead and not yet delivered: buffer[index…]. */
  buffer: StreamRecord[] = [];
  index = 0;
  /** The last offset delivered, -1 before the first. */
  deliveredOffset = -1;
  /** Tracking: the offset after the highest acked record. */
  ackedNext = -1;

  constructor(
    readonly consumer: Consumer,
    /** The next offset to read from the store. */
    public nextOffset: number,
    readonly filter: StreamFilter | null,
    /** The tag its offset is saved under, or null when untracked. */
    readonly trackingTag: string | null,
  ) {}
}

/** A delivered record, with the reader that took it (for offset tracking on ack). */
class StreamEntry extends QueueEntry {
  constructor(message: Message, offset: number, readonly reader: StreamReader) {
    super(message, offset);
  }
}

export interface StreamInfo {
  segments: number;
  /** Property and body bytes of the records held. */
  bytes: number;
  /** 0 when empty. */
  firstOffset: number;
  /** -1 when empty. */
  lastOffset: number;
  records: number;
}

export interface StreamConsumerOffset {
  consumerTag: string;
  /** The queue-side consumer; in the server it is the channel's ChannelConsumer (which has `.channel`). */
  consumer: Consumer;
  /** The last offset delivered to it, -1 before the first delivery. */
  offset: number;
  /** Where it reads next. */
  nextOffset: number;
}

export class StreamQueue extends Queue {
  readonly #store: Store;
  readonly #storeId: number;
  /** Oldest first; the last one is being written. */
  readonly #segments: StreamSegment[];
  #bytes = 0;
  #records = 0;
  /** The offset the next record gets. */
  #nextOffset = 0;
  /** Records below this offset are durable (readable). */
  #durableEnd = 0;
  #awaitingCommit = false;
  readonly #readers = new Map<Consumer, StreamReader>();
  #dispatching = false;
  #dispatchTimer: ReturnType<typeof setTimeout> | undefined;
  #retentionTimer: ReturnType<typeof setInterval> | undefined;

  constructor(vhost: string, name: string, options: QueueOptions, storage?: QueueStorage) {
    super(
      vhost,
      name,
      { ...options, settings: streamSettings(options.settings ?? NO_SETTINGS) },
      storage && { ...storage, pagedCount: 0 },
    );
    this.#store = present(storage?.store, "a stream has a store");
    this.#storeId = present(storage?.storeId || null, "a stream has a store id");
    this.#segments = this.#store.streamSegments(this.#storeId);
    for (const s of this.#segments) {
      this.#bytes += s.bytes;
      this.#records += s.records;
    }
    const tail = this.#segments.at(-1);
    this.#nextOffset = tail === undefined ? 0 : tail.lastOffset + 1;
    this.#durableEnd = this.#nextOffset;
    this.#armRetention();
  }

  override get type(): string {
    return "stream";
  }

  override get storesEveryMessage(): boolean {
    return true;
  }

  override get supportsGlobalQos(): boolean {
    return false;
  }

  /** RabbitMQ's queue.declare-ok (and delete-ok) counts nothing for a stream. */
  override get messageCount(): number {
    return 0;
  }

  /** RabbitMQ's queue.declare-ok says 0 consumers for a stream; `consumers` has them. */
  override get consumerCount(): number {
    return 0;
  }

  override applySettings(settings: QueueSettings): void {
    super.applySettings(streamSettings(settings));
    this.#armRetention();
    this.#applyRetention(Date.now());
  }

  // ---- what the management side shows ---------------------------------

  /** Size and bounds of the log. */
  streamInfo(): StreamInfo {
    const first = this.#segments[0];
    return {
      segments: this.#segments.length,
      bytes: this.#bytes,
      firstOffset: first === undefined ? 0 : first.firstOffset,
      lastOffset: this.#records === 0 ? -1 : this.#nextOffset - 1,
      records: this.#records,
    };
  }

  /** Each consumer and the offset it has been delivered up to. */
  consumerOffsets(): StreamConsumerOffset[] {
    return [...this.#readers.values()].map((r) => ({
      consumerTag: r.consumer.tag,
      consumer: r.consumer,
      offset: r.deliveredOffset,
      nextOffset: r.nextOffset,
    }));
  }

  // ---- appending ------------------------------------------------------

  override enqueue(message: Message): boolean {
    const now = Date.now();
    const size = message.rawProperties.length + message.body.length;
    let tail = this.#segments.at(-1);
    if (tail === undefined || tail.bytes >= this.#segmentBytes()) {
      tail = this.#roll(tail, now);
    }
    const offset = this.#nextOffset++;
    this.#store.appendStreamRecord(this.#storeId, {
      offset,
      timestamp: now,
      segment: tail.segment,
      filterValue: filterValueOf(message),
      exchange: message.exchange,
      routingKey: message.routingKey,
      rawProperties: message.rawProperties,
      body: message.body,
    });
    if (tail.records === 0) {
      tail.firstOffset = offset;
      tail.firstTimestamp = now;
    }
    tail.lastOffset = offset;
    tail.lastTimestamp = now;
    tail.records++;
    tail.bytes += size;
    this.#bytes += size;
    this.#records++;
    this.stats.published++;
    if (!this.#awaitingCommit) {
      this.#awaitingCommit = true;
      this.#store.whenDurable(this.#committed);
    }
    return true;
  }

  #segmentBytes(): number {
    return this.settings.streamMaxSegmentSizeBytes ?? DEFAULT_SEGMENT_BYTES;
  }

  /** Starts a new segment; the closed ones are now up for retention. */
  #roll(previous: StreamSegment | undefined, now: number): StreamSegment {
    const next: StreamSegment = {
      segment: previous === undefined ? 0 : previous.segment + 1,
      firstOffset: this.#nextOffset,
      lastOffset: this.#nextOffset - 1,
      records: 0,
      bytes: 0,
      firstTimestamp: now,
      lastTimestamp: now,
    };
    this.#segments.push(next);
    if (previous !== undefined) this.#applyRetention(now);
    return next;
  }

  /** Everything appended so far has committed (or failed to, leaving a gap readers step over). */
  readonly #committed = (): void => {
    this.#awaitingCommit = false;
    this.#durableEnd = this.#nextOffset;
    if (this.#readers.size > 0) this.dispatch();
  };

  // ---- retention ------------------------------------------------------

  #armRetention(): void {
    const wanted = this.settings.maxAgeMs !== null && !this.deleted;
    if (wanted && this.#retentionTimer === undefined) {
      this.#retentionTimer = setInterval(() => this.#applyRetention(Date.now()), RETENTION_CHECK_MS);
    } else if (!wanted && this.#retentionTimer !== undefined) {
      clearInterval(this.#retentionTimer);
      this.#retentionTimer = undefined;
    }
  }

  /** Drops closed segments from the head while the stream is over its size or they are all past max-age. */
  #applyRetention(now: number): void {
    const { maxLengthBytes, maxAgeMs } = this.settings;
    if ((maxLengthBytes === null && maxAgeMs === null) || this.deleted) return;
    const segments = this.#segments;
    let dropped = false;
    while (segments.length > 1) {
      const head = segments[0];
      const overSize = maxLengthBytes !== null && this.#bytes > maxLengthBytes;
      const tooOld = maxAgeMs !== null && head.lastTimestamp < now - maxAgeMs;
      if (!overSize && !tooOld) break;
      segments.shift();
      this.#bytes -= head.bytes;
      this.#records -= head.records;
      dropped = true;
    }
    if (dropped) this.#store.truncateStream(this.#storeId, segments[0].firstOffset);
  }

  // ---- consuming ------------------------------------------------------

  /**
   * RabbitMQ's consumer checks for a stream, in its order: the arguments
   * (x-priority is refused, x-stream-offset must be one it reads), then a
   * per-consumer prefetch, then manual acks.
   */
  override checkConsume(c: { noAck: boolean; prefetchCount: number; arguments: FieldTable }): void {
    const what = `queue '${this.name}' in vhost '${this.vhost}'`;
    if (c.arguments["x-priority"] !== undefined) {
      throw preconditionFailed(`invalid arg 'x-priority' for ${what} of queue type rabbit_stream_queue`);
    }
    parseStreamOffset(c.arguments, { queue: this.name, vhost: this.vhost }, Date.now());
    filterOf(c.arguments, what);
    if (c.prefetchCount === 0) {
      throw preconditionFailed(`consumer prefetch count is not set for '${what}'`);
    }
    if (c.noAck) {
      throw new ConnectionError(
        REPLY_NOT_IMPLEMENTED,
        `automatic acknowledgement not supported by stream queues ${what}`,
      );
    }
  }

  override addConsumer(consumer: Consumer): void {
    const args = consumer.arguments;
    const tracked = !consumer.tag.startsWith(GENERATED_TAG_PREFIX) &&
      (args["x-stream-automatic-offset-tracking"] === true || args["x-stream-offset"] === null);
    const spec = parseStreamOffset(args, { queue: this.name, vhost: this.vhost }, Date.now());
    let start = tracked ? this.#store.streamConsumerOffset(this.#storeId, consumer.tag) : -1;
    if (start < 0) start = this.#startOffset(spec);
    const what = `queue '${this.name}' in vhost '${this.vhost}'`;
    const reader = new StreamReader(consumer, start, filterOf(args, what), tracked ? consumer.tag : null);
    this.#readers.set(consumer, reader);
    try {
      super.addConsumer(consumer);
    } catch (e) {
      this.#readers.delete(consumer);
      throw e;
    }
  }

  #startOffset(spec: StreamOffsetSpec): number {
    switch (spec.kind) {
      case "first":
        return this.#segments[0]?.firstOffset ?? this.#nextOffset;
      case "next":
        return this.#nextOffset;
      case "offset":
        return spec.offset;
      case "last": {
        const o = this.#store.streamLastChunkOffset(this.#storeId);
        return o < 0 ? this.#nextOffset : o;
      }
      case "timestamp": {
        const o = this.#store.streamChunkOffsetAt(this.#storeId, spec.atMs);
        return o < 0 ? this.#nextOffset : o;
      }
    }
  }

  override removeConsumer(consumer: Consumer): void {
    super.removeConsumer(consumer);
    const reader = this.#readers.get(consumer);
    if (reader === undefined) return;
    this.#readers.delete(consumer);
    this.#saveTracked(reader);
  }

  #saveTracked(reader: StreamReader): void {
    if (reader.trackingTag === null || reader.ackedNext < 0 || this.deleted) return;
    this.#store.saveStreamConsumerOffset(this.#storeId, reader.trackingTag, reader.ackedNext);
  }

  /** Hands durable records to every consumer that has credit, each from its own offset. */
  override dispatch(): void {
    if (this.#dispatching || this.deleted) return;
    this.#dispatching = true;
    try {
      for (const reader of this.#readers.values()) this.#feed(reader);
    } finally {
      this.#dispatching = false;
    }
  }

  #feed(r: StreamReader): void {
    const consumer = r.consumer;
    let batches = 0;
    while (consumer.canDeliver()) {
      if (r.index === r.buffer.length) {
        if (r.nextOffset >= this.#durableEnd) return;
        if (batches === READ_BATCHES_PER_DISPATCH) return this.#dispatchLater();
        batches++;
        r.buffer = this.#store.readStreamRecords(this.#storeId, r.nextOffset, this.#batchRecords());
        r.index = 0;
        if (r.buffer.length === 0) {
          // Nothing durable is left from there on (the rest failed to commit).
          r.nextOffset = this.#durableEnd;
          return;
        }
      }
      const record = r.buffer[r.index];
      r.buffer[r.index++] = EMPTY_RECORD;
      r.nextOffset = record.offset + 1;
      if (r.filter !== null && !matches(r.filter, record.filterValue)) continue;
      this.#deliver(r, record);
    }
  }

  /** About READ_BATCH_BYTES of records of the stream's average size; at least one, at most READ_BATCH_RECORDS. */
  #batchRecords(): number {
    if (this.#records === 0) return READ_BATCH_RECORDS;
    const average = this.#bytes / this.#records;
    return Math.max(1, Math.min(READ_BATCH_RECORDS, Math.floor(READ_BATCH_BYTES / average)));
  }

  #dispatchLater(): void {
    if (this.#dispatchTimer !== undefined) return;
    this.#dispatchTimer = setTimeout(() => {
      this.#dispatchTimer = undefined;
      this.dispatch();
    }, 0);
  }

  #deliver(r: StreamReader, record: StreamRecord): void {
    const m = new Message(
      record.exchange,
      record.routingKey,
      withLongHeader(record.rawProperties, OFFSET_HEADER, record.offset),
      record.body,
      true,
    );
    r.deliveredOffset = record.offset;
    this.stats.delivered++;
    this.unackedCount++;
    this.deliveryCounters.deliveredConsumeManualAck++;
    r.consumer.deliver(this, new StreamEntry(m, record.offset, r));
  }

  /** An ack returns credit, and moves a tracked consumer's saved offset on. */
  override ack(entry: QueueEntry): void {
    this.unackedCount--;
    this.stats.acked++;
    this.deliveryCounters.acknowledged++;
    const reader = (entry as StreamEntry).reader;
    if (reader.trackingTag !== null && entry.seq >= reader.ackedNext) {
      reader.ackedNext = entry.seq + 1;
      this.#saveTracked(reader);
    }
  }

  // ---- what a stream refuses ------------------------------------------

  #notImplemented(what: string): ConnectionError {
    return new ConnectionError(
      REPLY_NOT_IMPLEMENTED,
      `${what} not supported by stream queues queue '${this.name}' in vhost '${this.vhost}'`,
    );
  }

  override get(_noAck: boolean): never {
    throw this.#notImplemented("basic.get");
  }

  override checkPurge(): void {
    throw this.#notImplemented("queue.purge");
  }

  /** basic.nack, basic.reject and basic.recover are refused; a closing channel just gives its credit back. */
  override requeue(entries: QueueEntry[], holderGone = false): void {
    this.unackedCount -= entries.length;
    if (!holderGone) throw this.#notImplemented("basic.nack and basic.reject");
  }

  override discard(_entry: QueueEntry): void {
    this.unackedCount--;
    throw this.#notImplemented("basic.nack and basic.reject");
  }

  override close(): void {
    clearInterval(this.#retentionTimer);
    clearTimeout(this.#dispatchTimer);
    this.#retentionTimer = undefined;
    this.#dispatchTimer = undefined;
    super.close();
  }
}

/** What a read-ahead slot holds once delivered, so a delivered body is not kept alive by the buffer. */
const EMPTY_RECORD: StreamRecord = {
  offset: -1,
  timestamp: 0,
  filterValue: null,
  exchange: "",
  routingKey: "",
  rawProperties: new Uint8Array(0),
  body: new Uint8Array(0),
};

/** A stream acts on its size, age and segment settings only. */
function streamSettings(s: QueueSettings): QueueSettings {
  return {
    ...NO_SETTINGS,
    maxLengthBytes: s.maxLengthBytes,
    maxAgeMs: s.maxAgeMs,
    streamMaxSegmentSizeBytes: s.streamMaxSegmentSizeBytes,
  };
}

/** The publisher's x-stream-filter-value header; the properties are decoded only when they have headers. */
function filterValueOf(message: Message): string | null {
  if ((message.rawProperties[0] & HEADERS_FLAG_HIGH_BYTE) === 0) return null;
  const v = message.properties.headers?.["x-stream-filter-value"];
  return typeof v === "string" ? v : null;
}

/** A consumer's filter from x-stream-filter (a string or an array of strings) and x-stream-match-unfiltered. */
function filterOf(args: FieldTable, what: string): StreamFilter | null {
  const f = args["x-stream-filter"];
  if (f === undefined) return null;
  // A string may list several values, comma-separated, as LavinMQ reads it.
  const values = typeof f === "string" ? f.split(",").map((v) => v.trim()) : Array.isArray(f) ? f : null;
  if (values === null || !values.every((v) => typeof v === "string")) {
    throw preconditionFailed(
      `invalid arg 'x-stream-filter' for ${what}: expected a string or an array of strings`,
    );
  }
  const unfiltered = args["x-stream-match-unfiltered"];
  if (unfiltered !== undefined && typeof unfiltered !== "boolean") {
    throw preconditionFailed(`invalid arg 'x-stream-match-unfiltered' for ${what}: expected a boolean`);
  }
  return { values: new Set(values as string[]), matchUnfiltered: unfiltered === true };
}

function matches(filter: StreamFilter, value: string | null): boolean {
  if (value === null) return filter.matchUnfiltered;
  if (filter.values.has(value)) return true;
  if (!value.includes(",")) return false;
  for (const v of value.split(",")) if (filter.values.has(v.trim())) return true;
  return false;
}
