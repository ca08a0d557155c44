// The store that keeps nothing: for tests and --in-memory mode, where a
// restart forgets everything, so every write is already as durable as it
// will ever be. Queues get store id 0, so the broker never pages them out;
// streams get an id of their own, since their records live only here. Each
// record is a chunk of its own: there is no commit to group them.
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
  Store,
  StoreSnapshot,
  StreamRecord,
  StreamRecordIn,
  StreamSegment,
  UserRecord,
} from "./store.ts";

interface MemoryStream {
  /** Records in offset order; retention drops from the front. */
  records: StreamRecordIn[];
  consumerOffsets: Map<string, number>;
}

export class MemoryStore implements Store {
  load(): StoreSnapshot {
    return {
      vhosts: [],
      policies: [],
      parameters: [],
      globalParameters: [],
      delayed: [],
      users: [],
      permissions: [],
      exchanges: [],
      queues: [],
      bindings: [],
    };
  }
  savePolicy(_record: PolicyRecord): void {}
  deletePolicy(_vhost: string, _name: string): void {}
  saveParameter(_record: ParameterRecord): void {}
  deleteParameter(_component: string, _vhost: string, _name: string): void {}
  saveGlobalParameter(_record: GlobalParameterRecord): void {}
  deleteGlobalParameter(_name: string): void {}
  /** Delayed messages wait in memory here: there is nowhere else to keep them. */
  readonly #delayed = new Map<number, DelayedRecord>();
  #lastDelayedId = 0;
  saveDelayed(record: Omit<DelayedRecord, "id">): number {
    const id = ++this.#lastDelayedId;
    this.#delayed.set(id, { ...record, id });
    return id;
  }
  takeDelayed(id: number): DelayedRecord | undefined {
    const r = this.#delayed.get(id);
    this.#delayed.delete(id);
    return r;
  }
  saveVHost(_name: string): void {}
  deleteVHost(_name: string): void {}
  saveUser(_record: UserRecord): void {}
  deleteUser(_name: string): void {}
  savePermission(_record: PermissionRecord): void {}
  deletePermission(_vhost: string, _user: string): void {}
  saveExchange(_record: ExchangeRecord): void {}
  deleteExchange(_vhost: string, _name: string): void {}
  readonly #streams = new Map<number, MemoryStream>();
  #lastStreamId = 0;
  saveQueue(record: QueueRecord): number {
    if (record.arguments["x-queue-type"] !== "stream") return 0;
    const id = ++this.#lastStreamId;
    this.#streams.set(id, { records: [], consumerOffsets: new Map() });
    return id;
  }
  deleteQueue(queueId: number): void {
    this.#streams.delete(queueId);
  }
  saveBinding(_record: BindingRecord): void {}
  deleteBinding(_record: BindingRecord): void {}
  addMessage(_queueId: number, _entry: StorableEntry): void {}
  removeMessage(_queueId: number, _entry: StorableEntry): void {}
  markDelivered(_queueId: number, _seq: number): void {}
  setDeliveryCount(_queueId: number, _entry: StorableEntry, _count: number): void {}
  loadMessages(_queueId: number, _afterSeq: number, _limit: number): LoadedMessage[] {
    return [];
  }
  removeMessagesAfter(_queueId: number, _afterSeq: number): void {}
  #stream(queueId: number): MemoryStream {
    const s = this.#streams.get(queueId);
    if (s === undefined) throw new Error(`no stream with store id ${queueId}`);
    return s;
  }
  /** The index of the first record at or above `offset`. */
  #indexOf(records: StreamRecordIn[], offset: number): number {
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (records[mid].offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  appendStreamRecord(queueId: number, record: StreamRecordIn): void {
    this.#stream(queueId).records.push(record);
  }
  readStreamRecords(queueId: number, fromOffset: number, limit: number): StreamRecord[] {
    const records = this.#stream(queueId).records;
    const start = this.#indexOf(records, fromOffset);
    return records.slice(start, start + limit);
  }
  streamSegments(_queueId: number): StreamSegment[] {
    return [];
  }
  streamLastChunkOffset(queueId: number): number {
    const records = this.#stream(queueId).records;
    return records.length === 0 ? -1 : records[records.length - 1].offset;
  }
  streamChunkOffsetAt(queueId: number, timestampMs: number): number {
    const r = this.#stream(queueId).records.find((r) => r.timestamp >= timestampMs);
    return r === undefined ? -1 : r.offset;
  }
  truncateStream(queueId: number, offset: number): void {
    const s = this.#stream(queueId);
    s.records.splice(0, this.#indexOf(s.records, offset));
  }
  saveStreamConsumerOffset(queueId: number, consumerTag: string, offset: number): void {
    this.#stream(queueId).consumerOffsets.set(consumerTag, offset);
  }
  streamConsumerOffset(queueId: number, consumerTag: string): number {
    return this.#stream(queueId).consumerOffsets.get(consumerTag) ?? -1;
  }
  whenDurable(callback: DurableCallback): void {
    callback(true);
  }
  flush(): void {}
  backup(_file: string): Promise<BackupResult> {
    return Promise.reject(
      new BackupError("the node keeps nothing on disk (in-memory mode): nothing to back up"),
    );
  }
  readonly backupProgress: BackupProgress | null = null;
  close(): void {}
}
