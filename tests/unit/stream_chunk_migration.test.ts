// Schema version 6 stores a stream as one row per chunk; a file written by
// version 5 (one row per record) is converted on open: its records, chunk
// starts (for `last` and timestamps) and segments read back as before.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "../../src/store/sqlite_store.ts";

const utf8 = new TextEncoder();

Deno.test("a version 5 stream's records, chunks and segments survive the conversion to chunk rows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "warren-chunk-migration-" });
  try {
    const file = `${dir}/warren.db`;
    // A current file, taken back to version 5's stream table.
    new SqliteStore(file, { sync: "normal" }).close();
    const db = new DatabaseSync(file);
    db.exec(`
      DROP TABLE stream_chunks;
      CREATE TABLE stream_records (
        queue_id INTEGER NOT NULL, stream_offset INTEGER NOT NULL, segment INTEGER NOT NULL,
        ts INTEGER NOT NULL, chunk_start INTEGER NOT NULL, filter_value TEXT,
        exchange TEXT NOT NULL, routing_key TEXT NOT NULL, properties BLOB NOT NULL, body BLOB NOT NULL,
        size INTEGER NOT NULL,
        UNIQUE (queue_id, stream_offset));
      CREATE INDEX stream_chunks ON stream_records (queue_id, stream_offset, ts) WHERE chunk_start = 1;
      UPDATE meta SET value = '5' WHERE key = 'schema_version';
    `);
    const ins = db.prepare("INSERT INTO stream_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    // Queue 7: chunks at 0 (segment 0), 3 (segment 0), 5 (segment 1); queue 8: one record.
    const chunkStarts = new Set([0, 3, 5]);
    for (let o = 0; o < 7; o++) {
      const props = new Uint8Array([0, 0]);
      const body = utf8.encode(`m${o}`);
      ins.run(
        7,
        o,
        o < 5 ? 0 : 1,
        1000 + o * 10,
        chunkStarts.has(o) ? 1 : 0,
        o === 4 ? "blue" : null,
        "ex",
        `k${o % 2}`,
        props,
        body,
        2 + body.length,
      );
    }
    ins.run(8, 0, 0, 5000, 1, null, "", "q8", new Uint8Array([0, 0]), utf8.encode("only"), 6);
    db.close();

    const store = new SqliteStore(file, { sync: "normal" });
    try {
      const all = store.readStreamRecords(7, 0, 100);
      assert.deepEqual(all.map((r) => r.offset), [0, 1, 2, 3, 4, 5, 6]);
      assert.deepEqual(all.map((r) => new TextDecoder().decode(r.body)), [
        "m0",
        "m1",
        "m2",
        "m3",
        "m4",
        "m5",
        "m6",
      ]);
      assert.deepEqual(all.map((r) => r.routingKey), ["k0", "k1", "k0", "k1", "k0", "k1", "k0"]);
      assert.deepEqual(all.map((r) => r.filterValue), [null, null, null, null, "blue", null, null]);
      assert.deepEqual(all.map((r) => r.timestamp), [1000, 1010, 1020, 1030, 1040, 1050, 1060]);
      assert.equal(all[0].exchange, "ex");
      assert.deepEqual([...all[2].rawProperties], [0, 0]);
      assert.deepEqual(store.readStreamRecords(7, 4, 100).map((r) => r.offset), [4, 5, 6]);
      assert.equal(store.streamLastChunkOffset(7), 5);
      assert.equal(store.streamChunkOffsetAt(7, 1001), 3);
      assert.equal(store.streamChunkOffsetAt(7, 1061), -1);
      assert.deepEqual(store.readStreamRecords(8, 0, 10).map((r) => r.routingKey), ["q8"]);
      store.truncateStream(7, 5);
      store.flush();
      assert.deepEqual(store.readStreamRecords(7, 0, 100).map((r) => r.offset), [5, 6]);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
