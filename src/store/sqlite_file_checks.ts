// Checks on the data file before and while SQLite opens it: a missing or
// empty database where the node held data, and open errors turned into one
// line for the operator.

/** A data file that cannot be used: wrong format, locked, unreadable. One line for the operator. */
export class StoreError extends Error {}

/** Files SQLite leaves beside a database; any of them without the database means data went missing. */
export const TRACE_SUFFIXES = ["-wal", "-journal", "-shm"];

/**
 * Why start-up must stop when the database file is gone or empty while the
 * node held data: SQLite would silently start a fresh, empty database.
 * Null when the file is there with content, or when nothing is there at all
 * (a first start).
 */
export function missingDatabase(path: string): string | null {
  let size: number | null;
  try {
    size = Deno.statSync(path).size;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return null; // SQLite reports it when opening
    size = null;
  }
  if (size !== null && size > 0) return null;
  const traces = TRACE_SUFFIXES.map((s) => path + s).filter((p) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  });
  if (size === null && traces.length === 0) return null;
  const state = size === null ? "is missing" : "is empty (0 bytes)";
  const beside = traces.length > 0
    ? ` while ${traces.join(" and ")} ${traces.length > 1 ? "are" : "is"} present`
    : "";
  return `${path} ${state}${beside}: refusing to start an empty node in place of the data it held ` +
    `(restore it from a backup, or remove ${
      [size === null ? [] : [path], traces].flat().join(" and ")
    } to start empty)`;
}

export function describeOpenError(path: string, e: Error): string {
  const msg = e.message;
  if (/locked|busy/i.test(msg)) return `${path} is locked: another Warren node is using this data dir`;
  if (/malformed/i.test(msg)) return `${path} is damaged (${msg}): restore it from a backup`;
  if (/not a database/i.test(msg)) return `${path} is not a Warren data file (${msg})`;
  if (/readonly|read-only|unable to open|permission/i.test(msg)) {
    return `cannot open ${path} for writing (${msg})`;
  }
  return `cannot open ${path}: ${msg}`;
}
