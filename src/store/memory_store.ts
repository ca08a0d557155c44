// The store that keeps nothing: for tests and --in-memory mode, where a
// restart forgets everything, so every write is already as durable as it
// will ever be. Queues get store id 0, so the broker never pages them out.
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
  UserRecord,
} from "./store.ts";

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
  saveQueue(_record: QueueRecord): number {
    return 0;
  }
  deleteQueue(_queueId: number): void {}
  /** Nothing is kept on disk, so paging out would save nothing. */
  pagingQueueId(): number {
    return 0;
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
