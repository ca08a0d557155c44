// Opens the store a node was configured with: the data dir is created if
// missing, and anything that makes it unusable becomes one StoreError line.
import { MemoryStore } from "./memory_store.ts";
import { SchemaError } from "./schema.ts";
import { SqliteStore, StoreError } from "./sqlite_store.ts";
import type { SyncLevel } from "./sync_level.ts";
import type { Store } from "./store.ts";

export const DATA_FILE = "warren.db";

export function openStore(options: { dataDir: string; inMemory: boolean; sync: SyncLevel }): Store {
  if (options.inMemory) return new MemoryStore();
  try {
    Deno.mkdirSync(options.dataDir, { recursive: true });
  } catch (e) {
    throw new StoreError(`cannot create data dir ${options.dataDir}: ${(e as Error).message}`);
  }
  const path = `${options.dataDir.replace(/\/+$/, "")}/${DATA_FILE}`;
  try {
    return new SqliteStore(path, { sync: options.sync });
  } catch (e) {
    if (e instanceof StoreError) throw e;
    if (e instanceof SchemaError) throw new StoreError(e.message);
    throw new StoreError(`cannot use ${path}: ${(e as Error).message}`);
  }
}
