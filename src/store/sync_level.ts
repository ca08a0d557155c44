// How hard a commit tries to reach the disk. Its own module so that the
// configuration (and `ctl`, which reads it) need not load node:sqlite.

/** full: fsync before every confirm; normal: survive a process crash, not power loss. */
export type SyncLevel = "full" | "normal";
export const SYNC_LEVELS: readonly SyncLevel[] = ["full", "normal"];
