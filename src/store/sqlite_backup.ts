// An online backup of the node's SQLite file, copied in bounded steps while
// the node keeps serving.
//
// Why not SQLite's backup API: Deno 2.9.6's node:sqlite `backup()` runs every
// step synchronously before its promise is even returned (measured: 100 MB
// in one ~235 ms block of the event loop), and `VACUUM INTO` is one
// statement as well. Instead the store, the only writer of its file (it
// holds the lock exclusively), checkpoints the write-ahead log into the main
// file and stops checkpointing until the copy is done. From then on every
// write lands in the WAL only, so the main file stays exactly the database
// as of that moment, and it is copied here in steps of BACKUP_STEP_BYTES,
// yielding to the event loop between them.
//
// The data file is read through one descriptor the store keeps open until it
// closes, and only with synchronous calls: closing any descriptor of a file
// drops every POSIX lock the process holds on it, SQLite's exclusive lock
// included, and Deno's asynchronous file calls work on a duplicate they
// close afterwards (measured: one async read or seek and a second node could
// open the file). A step's read is small enough not to hold the loop up.

import type { DatabaseSync } from "node:sqlite";
import { TRACE_SUFFIXES } from "./sqlite_file_checks.ts";
import { BackupError, type BackupProgress, type BackupResult } from "./store.ts";

/** How much of the file one step copies. */
export const BACKUP_STEP_BYTES = 1024 * 1024;

/** The online backup of one store's data file: at most one at a time. */
export class OnlineBackup {
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #flush: () => void;
  readonly #closed: () => boolean;
  #progress: BackupProgress | null = null;
  /** Kept open until the store closes: closing a descriptor of the file would drop SQLite's lock on it. */
  #source: Deno.FsFile | null = null;

  /** `flush` commits the store's pending writes; `closed` says whether the store has closed. */
  constructor(db: DatabaseSync, path: string, flush: () => void, closed: () => boolean) {
    this.#db = db;
    this.#path = path;
    this.#flush = flush;
    this.#closed = closed;
  }

  get progress(): BackupProgress | null {
    return this.#progress;
  }

  /**
   * Everything committed so far is checkpointed into the main file, which
   * then does not change until checkpoints resume: the copy of it is the
   * node as of this moment.
   */
  async run(requested: string): Promise<BackupResult> {
    if (this.#closed()) throw new BackupError("the node is stopping");
    const file = backupTarget(requested);
    if (this.#progress !== null) {
      throw new BackupError(`a backup to ${this.#progress.file} is already running`);
    }
    if (this.#ownFiles().includes(file)) throw new BackupError(`${file} is the node's own data file`);
    const progress: BackupProgress = { file, copiedBytes: 0, totalBytes: 0, startedAt: Date.now() };
    this.#progress = progress;
    const pragma = (sql: string) => this.#db.prepare(sql).get() as Record<string, unknown>;
    const autoCheckpoint = pragma("PRAGMA wal_autocheckpoint").wal_autocheckpoint as number;
    try {
      this.#flush();
      this.#db.exec("PRAGMA wal_autocheckpoint = 0");
      if (pragma("PRAGMA wal_checkpoint(TRUNCATE)").busy !== 0) {
        throw new BackupError("the write-ahead log could not be checkpointed");
      }
      progress.totalBytes = (pragma("PRAGMA page_count").page_count as number) *
        (pragma("PRAGMA page_size").page_size as number);
      this.#source ??= Deno.openSync(this.#path, { read: true });
      await copyFileInSteps(this.#source, file, progress, this.#closed);
      return { file, bytes: progress.totalBytes, ms: Date.now() - progress.startedAt };
    } finally {
      this.#progress = null;
      if (!this.#closed()) this.#db.exec(`PRAGMA wal_autocheckpoint = ${autoCheckpoint}`);
    }
  }

  /** Lets go of the data file; only once the database is closed and its lock released. */
  close(): void {
    this.#source?.close();
    this.#source = null;
  }

  /** The data file and SQLite's files beside it, by absolute path. */
  #ownFiles(): string[] {
    let path = this.#path;
    try {
      path = Deno.realPathSync(path);
    } catch { /* compared as configured */ }
    return [path, ...TRACE_SUFFIXES.map((s) => path + s)];
  }
}

/** The absolute path a backup to `file` is written at, its directory resolved; a BackupError if unusable. */
export function backupTarget(file: string): string {
  if (!file.startsWith("/")) throw new BackupError(`${file} is not an absolute path`);
  const slash = file.lastIndexOf("/");
  const name = file.slice(slash + 1);
  if (name === "" || name === "." || name === "..") throw new BackupError(`${file} does not name a file`);
  const dir = file.slice(0, slash) || "/";
  let real: string;
  try {
    real = Deno.realPathSync(dir);
  } catch (e) {
    throw new BackupError(`cannot write to ${dir}: ${(e as Error).message}`);
  }
  return real === "/" ? `/${name}` : `${real}/${name}`;
}

/**
 * Copies the first `totalBytes` of `source` to `target`, through a temporary
 * file renamed into place once the copy is on disk. `progress` is updated
 * after every step; `stopped` is asked before each one.
 */
export async function copyFileInSteps(
  source: Deno.FsFile,
  target: string,
  progress: BackupProgress,
  stopped: () => boolean,
): Promise<void> {
  const temporary = `${target}.partial`;
  let out: Deno.FsFile;
  try {
    out = await Deno.open(temporary, { write: true, create: true, truncate: true });
  } catch (e) {
    throw new BackupError(`cannot write ${temporary}: ${(e as Error).message}`);
  }
  const buffer = new Uint8Array(BACKUP_STEP_BYTES);
  let renamed = false;
  try {
    while (progress.copiedBytes < progress.totalBytes) {
      if (stopped()) throw new BackupError("the node stopped before the backup was complete");
      const want = Math.min(BACKUP_STEP_BYTES, progress.totalBytes - progress.copiedBytes);
      source.seekSync(progress.copiedBytes, Deno.SeekMode.Start);
      let filled = 0;
      while (filled < want) {
        const n = source.readSync(buffer.subarray(filled, want));
        if (n === null) throw new BackupError("the data file ended before the backup was complete");
        filled += n;
      }
      let written = 0;
      while (written < want) written += await out.write(buffer.subarray(written, want));
      progress.copiedBytes += want;
    }
    await out.sync();
    out.close();
    await Deno.rename(temporary, target);
    renamed = true;
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError(`cannot write ${target}: ${(e as Error).message}`);
  } finally {
    if (!renamed) {
      try {
        out.close();
      } catch { /* closed already */ }
      await Deno.remove(temporary).catch(() => {});
    }
  }
}
