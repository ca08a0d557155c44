// Byte quantities as rabbitmq.conf writes them. RabbitMQ has two
// notations and Warren reads each key with the one RabbitMQ uses for it:
//
// - information units (vm_memory_high_watermark.absolute,
//   disk_free_limit.absolute): `1GB` is 10^9 bytes, `1GiB` or `1G` is 2^30;
// - cuttlefish "bytesize" (frame_max): `KB`, `MB`, `GB` are powers of 1024.
//
// A number without a unit is bytes in both. Neither allows a space or a
// fraction ("1.5GB" is rejected, as RabbitMQ rejects it).

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** RabbitMQ's information-unit suffixes and their multipliers. */
const INFORMATION_UNITS: Record<string, number> = {
  kB: 1e3,
  KB: 1e3,
  kb: 1e3,
  Kb: 1e3,
  MB: 1e6,
  mb: 1e6,
  Mb: 1e6,
  GB: 1e9,
  gb: 1e9,
  Gb: 1e9,
  k: KIB,
  K: KIB,
  kiB: KIB,
  KiB: KIB,
  kib: KIB,
  KIB: KIB,
  m: MIB,
  M: MIB,
  MiB: MIB,
  mib: MIB,
  MIB: MIB,
  g: GIB,
  G: GIB,
  GiB: GIB,
  gib: GIB,
  GIB: GIB,
};

/** Cuttlefish's bytesize suffixes: binary multiples despite the SI-looking names. */
const BYTESIZE_UNITS: Record<string, number> = {
  KB: KIB,
  kb: KIB,
  MB: MIB,
  mb: MIB,
  GB: GIB,
  gb: GIB,
};

const AMOUNT = /^(\d+)([A-Za-z]*)$/;

function parseWith(text: string, units: Record<string, number>): number | null {
  const m = AMOUNT.exec(text);
  if (!m) return null;
  const multiplier = m[2] === "" ? 1 : units[m[2]];
  if (multiplier === undefined) return null;
  const bytes = Number(m[1]) * multiplier;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** `1073741824`, `1GiB`, `512MB`, `2G` -> bytes; null when RabbitMQ would reject it. */
export function parseInformationUnit(text: string): number | null {
  return parseWith(text, INFORMATION_UNITS);
}

/** `131072`, `128KB` (= 131072) -> bytes; null when cuttlefish would reject it. */
export function parseBytesize(text: string): number | null {
  return parseWith(text, BYTESIZE_UNITS);
}

export const INFORMATION_UNIT_HINT = "bytes, or a whole number with a unit: kB MB GB (powers of 1000), " +
  "k KiB M MiB G GiB (powers of 1024)";

export const BYTESIZE_HINT = "bytes, or a whole number with KB, MB or GB (powers of 1024)";
