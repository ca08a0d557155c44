// Byte sizes in rabbitmq.conf: RabbitMQ's information units (kB/MB/GB are
// powers of 1000, k/KiB/M/MiB/G/GiB powers of 1024) and cuttlefish's
// bytesize (KB/MB/GB are powers of 1024), each rejecting what RabbitMQ rejects.
import assert from "node:assert/strict";
import { parseBytesize, parseInformationUnit } from "../../src/config/units.ts";

Deno.test("information units: plain bytes and every suffix RabbitMQ accepts", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["1073741824", 1073741824],
    ["1kB", 1000],
    ["1KB", 1000],
    ["2kb", 2000],
    ["1MB", 1_000_000],
    ["50MB", 50_000_000],
    ["1Mb", 1_000_000],
    ["1GB", 1_000_000_000],
    ["3gb", 3_000_000_000],
    ["1k", 1024],
    ["1K", 1024],
    ["1KiB", 1024],
    ["1kiB", 1024],
    ["1KIB", 1024],
    ["1M", 1024 * 1024],
    ["512MiB", 512 * 1024 * 1024],
    ["1mib", 1024 * 1024],
    ["1G", 1024 ** 3],
    ["2GiB", 2 * 1024 ** 3],
    ["1gib", 1024 ** 3],
  ];
  for (const [text, bytes] of cases) assert.equal(parseInformationUnit(text), bytes, text);
});

Deno.test("information units: fractions, spaces, signs and unknown suffixes are rejected", () => {
  for (const text of ["", "1.5GB", "1 GB", "-1", "+1", "GB", "1TB", "1Gi", "1gB", "1bytes", "0x10", "1e9"]) {
    assert.equal(parseInformationUnit(text), null, text);
  }
});

Deno.test("bytesize (frame_max): KB, MB and GB are powers of 1024", () => {
  assert.equal(parseBytesize("131072"), 131072);
  assert.equal(parseBytesize("128KB"), 131072);
  assert.equal(parseBytesize("128kb"), 131072);
  assert.equal(parseBytesize("1MB"), 1024 * 1024);
  assert.equal(parseBytesize("1GB"), 1024 ** 3);
  for (const text of ["128KiB", "128k", "1.5MB", "128 KB", ""]) assert.equal(parseBytesize(text), null, text);
});
