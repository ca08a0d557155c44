// The store that keeps nothing: for tests and --in-memory mode, where a
// restart forgets everything, so every write is already as durable as it
// will ever be.
import type { BindingRecord, ExchangeRecord, QueueRecord, Store } from "./store.ts";

export class MemoryStore implements Store {
  saveExchange(_record: ExchangeRecord): void {}
  deleteExchange(_vhost: string, _name: string): void {}
  saveQueue(_record: QueueRecord): void {}
  deleteQueue(_vhost: string, _name: string): void {}
  saveBinding(_record: BindingRecord): void {}
  deleteBinding(_record: BindingRecord): void {}
  whenDurable(callback: () => void): void {
    callback();
  }
  close(): void {}
}
