// What the broker persists, as an interface: the in-memory store serves
// tests and --in-memory mode, the SQLite store keeps the durability
// contract. The broker calls these only for durable entities and for
// messages in durable queues. The store sees messages through the small
// structural interfaces below, so it never imports the broker.
import type { FieldTable } from "../amqp/field_table.ts";

export interface ExchangeRecord {
  vhost: string;
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export interface QueueRecord {
  vhost: string;
  name: string;
  durable: boolean;
  autoDelete: boolean;
  arguments: FieldTable;
}

export interface BindingRecord {
  vhost: string;
  source: string;
  destination: string;
  destinationType: "queue" | "exchange";
  routingKey: string;
  arguments: FieldTable;
}

export interface UserRecord {
  name: string;
  passwordHash: string;
  tags: string[];
}

export interface PermissionRecord {
  vhost: string;
  user: string;
  configure: string;
  write: string;
  read: string;
}

/** A durable queue as found at start-up, with what its messages need to resume. */
export interface RecoveredQueue extends QueueRecord {
  id: number;
  messageCount: number;
  /** Highest sequence number stored; the queue continues after it. */
  maxSeq: number;
  /** Messages up to this sequence number may have been delivered before: they come back redelivered. */
  deliveredSeq: number;
  /** The earliest expiry among its messages; 0 when none expires. */
  nextExpiresAt: number;
}

export interface PolicyRecord {
  vhost: string;
  name: string;
  pattern: string;
  applyTo: "queues" | "exchanges" | "all";
  priority: number;
  definition: Record<string, unknown>;
}

/** A runtime parameter: one component's named JSON value in a vhost. */
export interface ParameterRecord {
  component: string;
  vhost: string;
  name: string;
  value: unknown;
}

/** A node-wide parameter (cluster_name, internal_cluster_id, …). */
export interface GlobalParameterRecord {
  name: string;
  value: unknown;
}

/** A message held by a delayed-message exchange until it is due. */
export interface DelayedRecord {
  id: number;
  vhost: string;
  exchange: string;
  dueAt: number;
  routingKey: string;
  rawProperties: Uint8Array;
  body: Uint8Array;
  persistent: boolean;
}

export interface StoreSnapshot {
  vhosts: string[];
  policies: PolicyRecord[];
  parameters: ParameterRecord[];
  globalParameters: GlobalParameterRecord[];
  /** Delayed messages by id and due time only: bodies stay on disk until due. */
  delayed: { id: number; vhost: string; exchange: string; dueAt: number }[];
  users: UserRecord[];
  permissions: PermissionRecord[];
  exchanges: ExchangeRecord[];
  queues: RecoveredQueue[];
  bindings: BindingRecord[];
}

/** The parts of a message the store writes. */
export interface StorableMessage {
  /** 0 until the store assigns an id. */
  storeId: number;
  readonly exchange: string;
  readonly routingKey: string;
  readonly rawProperties: Uint8Array;
  readonly body: Uint8Array;
  readonly persistent: boolean;
}

/** One message's place in one queue. */
export interface StorableEntry {
  readonly seq: number;
  /** Epoch ms after which the message is dead; 0 for never. */
  readonly expiresAt: number;
  /** Deliveries counted so far (quorum queues). */
  readonly deliveryCount: number;
  readonly message: StorableMessage;
  /** The store's own bookkeeping while the entry's row is not yet committed. */
  storeRow: unknown;
}

/** A message read back from the store. */
export interface LoadedMessage {
  seq: number;
  messageId: number;
  exchange: string;
  routingKey: string;
  rawProperties: Uint8Array;
  body: Uint8Array;
  persistent: boolean;
  expiresAt: number;
  deliveryCount: number;
}

/** One record appended to a stream. */
export interface StreamRecordIn {
  readonly offset: number;
  /** Epoch ms when the stream took it. */
  readonly timestamp: number;
  readonly segment: number;
  /** The publisher's x-stream-filter-value header, or null. */
  readonly filterValue: string | null;
  readonly exchange: string;
  readonly routingKey: string;
  readonly rawProperties: Uint8Array;
  readonly body: Uint8Array;
}

/** A stream record read back. */
export interface StreamRecord {
  offset: number;
  timestamp: number;
  filterValue: string | null;
  exchange: string;
  routingKey: string;
  rawProperties: Uint8Array;
  body: Uint8Array;
}

/** What a stream's segment holds, as found at start-up. */
export interface StreamSegment {
  segment: number;
  firstOffset: number;
  lastOffset: number;
  records: number;
  /** Property and body bytes of its records. */
  bytes: number;
  firstTimestamp: number;
  lastTimestamp: number;
}

export type DurableCallback = (ok: boolean) => void;

export interface BackupProgress {
  /** Where the copy goes (the final name; it is written under a temporary one). */
  file: string;
  copiedBytes: number;
  totalBytes: number;
  startedAt: number;
}

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
}

/** A backup that cannot be made: another one runs, the target is unusable, the node stopped. */
export class BackupError extends Error {}

export interface Store {
  /** Reads everything durable; called once at start-up. */
  load(): StoreSnapshot;

  saveVHost(name: string): void;
  deleteVHost(name: string): void;
  saveUser(record: UserRecord): void;
  deleteUser(name: string): void;
  savePermission(record: PermissionRecord): void;
  deletePermission(vhost: string, user: string): void;

  savePolicy(record: PolicyRecord): void;
  deletePolicy(vhost: string, name: string): void;

  saveParameter(record: ParameterRecord): void;
  deleteParameter(component: string, vhost: string, name: string): void;
  saveGlobalParameter(record: GlobalParameterRecord): void;
  deleteGlobalParameter(name: string): void;

  /** Keeps a delayed message until due; returns its id. Durable stores write it with the next batch. */
  saveDelayed(record: Omit<DelayedRecord, "id">): number;
  /** Reads a delayed message back (undefined if it is gone) and forgets it. */
  takeDelayed(id: number): DelayedRecord | undefined;

  saveExchange(record: ExchangeRecord): void;
  deleteExchange(vhost: string, name: string): void;
  /** Returns the queue's store id (0 when the store keeps no messages; never 0 for a stream). */
  saveQueue(record: QueueRecord): number;
  deleteQueue(queueId: number): void;
  /**
   * A queue id under which a non-durable queue pages its backlog out (no queue record: the rows
   * are dropped at the next start, as the queue is), or 0 when this store cannot page.
   */
  pagingQueueId(): number;
  saveBinding(record: BindingRecord): void;
  deleteBinding(record: BindingRecord): void;

  /** A message enters a stored queue. */
  addMessage(queueId: number, entry: StorableEntry): void;
  /** The message leaves the queue for good (ack, reject, purge, drop). */
  removeMessage(queueId: number, entry: StorableEntry): void;
  /** Deliveries have reached `seq` (kept as a watermark for `redelivered` after a crash). */
  markDelivered(queueId: number, seq: number): void;
  /** The stored entry has been delivered `count` times (quorum queues' x-delivery-count after a crash). */
  setDeliveryCount(queueId: number, entry: StorableEntry, count: number): void;
  /** Up to `limit` stored messages with sequence numbers above `afterSeq`, in order. */
  loadMessages(queueId: number, afterSeq: number, limit: number): LoadedMessage[];
  /** Removes every stored message of the queue above `afterSeq` (purge of paged-out messages). */
  removeMessagesAfter(queueId: number, afterSeq: number): void;

  // ---- streams: an append-only log per stream queue, read by offset ----

  /** Appends a record; durable with the next group commit (whenDurable), readable only then. */
  appendStreamRecord(queueId: number, record: StreamRecordIn): void;
  /**
   * Durable records from `fromOffset` on, in offset order: `limit` or fewer, or (when the store keeps
   * chunks) the rest of the chunk that reaches `limit`.
   */
  readStreamRecords(queueId: number, fromOffset: number, limit: number): StreamRecord[];
  /** The stream's segments, oldest first (start-up). */
  streamSegments(queueId: number): StreamSegment[];
  /**
   * The first offset of the newest chunk (the records one commit wrote), or
   * -1 when the stream holds none.
   */
  streamLastChunkOffset(queueId: number): number;
  /** The first offset of the first chunk written at or after `timestampMs`, or -1 when none is. */
  streamChunkOffsetAt(queueId: number, timestampMs: number): number;
  /** Retention: removes every record below `offset`. */
  truncateStream(queueId: number, offset: number): void;
  /** Server-side offset tracking: where the named consumer goes on from. */
  saveStreamConsumerOffset(queueId: number, consumerTag: string, offset: number): void;
  /** The saved offset of the named consumer, or -1 when it has none. */
  streamConsumerOffset(queueId: number, consumerTag: string): number;

  /**
   * Runs `callback(true)` once everything handed to the store so far is on
   * disk, or `callback(false)` if writing it failed. Publisher confirms wait
   * here.
   */
  whenDurable(callback: DurableCallback): void;
  /** Writes everything pending now. */
  flush(): void;
  /** Resolves once no fsync runs off the event loop; close() after it leaves no operation behind. */
  settled(): Promise<void>;

  /**
   * Writes a consistent copy of everything durable to `file` (an absolute
   * path) while the node keeps serving; a node started on the copy restores
   * it. Rejects with a BackupError.
   */
  backup(file: string): Promise<BackupResult>;
  /** The backup being written, or null. */
  readonly backupProgress: BackupProgress | null;
  close(): void;
}
