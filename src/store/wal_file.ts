// Reading SQLite's write-ahead log before SQLite does, to tell the operator
// what its recovery is about to keep and drop. Format (sqlite.org,
// fileformat2 "The WAL File Format"): a 32-byte header — magic, version,
// page size, checkpoint sequence, two salts, a checksum of its first 24
// bytes — then frames of a 24-byte header (page number, database size in
// pages for the last frame of a transaction else 0, the two salts, a
// cumulative checksum) and one page. Recovery keeps the frames whose salts
// match the header and whose checksums chain, up to the last one that ends
// a transaction; everything after it is ignored.

const HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const MAGIC_LITTLE_ENDIAN = 0x377f0682;
const MAGIC_BIG_ENDIAN = 0x377f0683;

export interface WalDamage {
  walBytes: number;
  /** Frames recovery keeps: those up to the end of the last complete transaction. */
  keptFrames: number;
  keptTransactions: number;
  /** Frames of the current log after the last complete transaction, and bytes of a frame cut in two. */
  droppedFrames: number;
  droppedBytes: number;
}

/** Adds 32-bit words of `bytes` to the running checksum, SQLite's way (a pair of sums). */
function checksum(view: DataView, offset: number, length: number, le: boolean, s: [number, number]): void {
  let s0 = s[0];
  let s1 = s[1];
  for (let i = offset; i < offset + length; i += 8) {
    s0 = (s0 + view.getUint32(i, le) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, le) + s0) >>> 0;
  }
  s[0] = s0;
  s[1] = s1;
}

function readAt(file: Deno.FsFile, position: number, into: Uint8Array): boolean {
  file.seekSync(position, Deno.SeekMode.Start);
  let n = 0;
  while (n < into.length) {
    const got = file.readSync(into.subarray(n));
    if (got === null) return false;
    n += got;
  }
  return true;
}

/**
 * What recovery of the log at `walPath` will drop, or null when it ends on a
 * complete transaction (or holds nothing). A log cut exactly at the end of
 * a transaction cannot be told from a complete one.
 */
export function inspectWal(walPath: string): WalDamage | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(walPath, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const size = file.statSync().size;
    if (size === 0) return null;
    const header = new Uint8Array(HEADER_BYTES);
    const damage = (kept: number, transactions: number, dropped: number, bytes: number): WalDamage => ({
      walBytes: size,
      keptFrames: kept,
      keptTransactions: transactions,
      droppedFrames: dropped,
      droppedBytes: bytes,
    });
    if (!readAt(file, 0, header)) return damage(0, 0, 0, size);
    const hv = new DataView(header.buffer);
    const magic = hv.getUint32(0);
    if (magic !== MAGIC_LITTLE_ENDIAN && magic !== MAGIC_BIG_ENDIAN) return damage(0, 0, 0, size);
    const le = magic === MAGIC_LITTLE_ENDIAN;
    const pageBytes = hv.getUint32(8) === 1 ? 65536 : hv.getUint32(8);
    const sum: [number, number] = [0, 0];
    checksum(hv, 0, 24, le, sum);
    if (sum[0] !== hv.getUint32(24) || sum[1] !== hv.getUint32(28)) return damage(0, 0, 0, size);
    const salt1 = hv.getUint32(16);
    const salt2 = hv.getUint32(20);
    const frameBytes = FRAME_HEADER_BYTES + pageBytes;
    const wholeFrames = Math.floor((size - HEADER_BYTES) / frameBytes);
    const tailBytes = (size - HEADER_BYTES) % frameBytes;

    const frame = new Uint8Array(frameBytes);
    const fv = new DataView(frame.buffer);
    const isCurrent = () => fv.getUint32(8) === salt1 && fv.getUint32(12) === salt2;
    // The usual case, a log that ends on a commit, needs only its last frame header read.
    if (tailBytes === 0 && wholeFrames > 0) {
      readAt(file, HEADER_BYTES + (wholeFrames - 1) * frameBytes, frame.subarray(0, FRAME_HEADER_BYTES));
      if (isCurrent() && fv.getUint32(4) !== 0) return null;
    }
    let valid = 0;
    let committed = 0;
    let transactions = 0;
    for (let i = 0; i < wholeFrames; i++) {
      readAt(file, HEADER_BYTES + i * frameBytes, frame);
      if (!isCurrent()) break;
      checksum(fv, 0, 8, le, sum);
      checksum(fv, FRAME_HEADER_BYTES, pageBytes, le, sum);
      if (sum[0] !== fv.getUint32(16) || sum[1] !== fv.getUint32(20)) break;
      valid = i + 1;
      if (fv.getUint32(4) !== 0) {
        committed = valid;
        transactions++;
      }
    }
    // Frames after `valid` that are not current belong to an older log SQLite is reusing: not a loss.
    const reachedEnd = valid === wholeFrames;
    const droppedBytes = reachedEnd ? tailBytes : 0;
    if (committed === valid && droppedBytes === 0) return null;
    return damage(committed, transactions, valid - committed, droppedBytes);
  } finally {
    file.close();
  }
}
