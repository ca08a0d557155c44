// Field tables (queue and exchange arguments) are stored as the AMQP wire
// encoding of the table, so every value keeps its exact type.
import { type FieldTable, readTable, writeTable } from "../amqp/field_table.ts";
import { WireReader, WireWriter } from "../amqp/wire.ts";

export function encodeTable(t: FieldTable): Uint8Array {
  const w = new WireWriter(256);
  writeTable(w, t);
  return w.bytes.slice(0, w.pos);
}

export function decodeTable(b: Uint8Array): FieldTable {
  return readTable(new WireReader().reset(b, 0, b.length));
}
