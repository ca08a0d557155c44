// Reading a node's durable state at start-up: entities in full, queues with
// only their message counts and sequence bounds (messages stay on disk until
// the queue pages them in), delayed messages by id and due time. Messages
// that were on disk only because their queue paged them out are transient
// and are dropped here, as a restart drops them in RabbitMQ; so are the rows
// of non-durable queues' backlogs (negative queue ids), persistent or not.
import type { DatabaseSync } from "node:sqlite";
import type { RecoveredQueue, StoreSnapshot } from "./store.ts";
import { decodeTable } from "./table_blob.ts";

type Row = Record<string, unknown>;

export interface SnapshotRead {
  snapshot: StoreSnapshot;
  /** Messages referenced by more than one queue row, with their row counts. */
  sharedRefs: Map<number, number>;
  lastMessageId: number;
  lastQueueId: number;
  lastDelayedId: number;
}

export function readSnapshot(db: DatabaseSync): SnapshotRead {
  db.exec("BEGIN");
  db.exec(`
    CREATE TEMP TABLE dropped_refs (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
    INSERT INTO dropped_refs SELECT message_id, count(*) FROM queue_messages WHERE queue_id < 0 GROUP BY message_id;
    UPDATE messages SET refs = refs - (SELECT n FROM dropped_refs d WHERE d.id = messages.id)
      WHERE persistent = 1 AND id IN (SELECT id FROM dropped_refs);
    DROP TABLE dropped_refs;
    DELETE FROM queue_messages WHERE transient = 1 OR queue_id < 0;
    DELETE FROM messages WHERE persistent = 0 OR refs <= 0;`);
  db.exec("COMMIT");
  const all = (sql: string) => db.prepare(sql).all() as Row[];
  const maxId = (table: string) =>
    (db.prepare(`SELECT coalesce(max(id), 0) AS id FROM ${table}`).get() as Row).id as number;
  const queues = readQueues(db, all);
  const sharedRefs = new Map<number, number>();
  for (const r of all("SELECT id, refs FROM messages WHERE refs > 1")) {
    sharedRefs.set(r.id as number, r.refs as number);
  }
  return {
    snapshot: { ...readDefinitions(all), queues },
    sharedRefs,
    lastMessageId: maxId("messages"),
    lastQueueId: queues.reduce((last, q) => Math.max(last, q.id), 0),
    lastDelayedId: maxId("delayed_messages"),
  };
}

type ReadAll = (sql: string) => Row[];

/** Everything but the queues: vhosts, users and permissions, policies, parameters, exchanges, bindings, delayed. */
function readDefinitions(all: ReadAll): Omit<StoreSnapshot, "queues"> {
  return {
    vhosts: all("SELECT name FROM vhosts").map((r) => r.name as string),
    policies: all("SELECT vhost, name, pattern, apply_to, priority, definition FROM policies").map((r) => ({
      vhost: r.vhost as string,
      name: r.name as string,
      pattern: r.pattern as string,
      applyTo: r.apply_to as "queues" | "exchanges" | "all",
      priority: r.priority as number,
      definition: JSON.parse(r.definition as string),
    })),
    parameters: all("SELECT component, vhost, name, value FROM runtime_parameters").map((r) => ({
      component: r.component as string,
      vhost: r.vhost as string,
      name: r.name as string,
      value: JSON.parse(r.value as string),
    })),
    globalParameters: all("SELECT name, value FROM global_parameters").map((r) => ({
      name: r.name as string,
      value: JSON.parse(r.value as string),
    })),
    delayed: all("SELECT id, vhost, exchange, due_at FROM delayed_messages").map((r) => ({
      id: r.id as number,
      vhost: r.vhost as string,
      exchange: r.exchange as string,
      dueAt: r.due_at as number,
    })),
    users: all("SELECT name, password_hash, tags FROM users").map((r) => ({
      name: r.name as string,
      passwordHash: r.password_hash as string,
      tags: (r.tags as string) === "" ? [] : (r.tags as string).split(","),
    })),
    permissions: all("SELECT vhost, user, configure, write, read FROM permissions").map((r) => ({
      vhost: r.vhost as string,
      user: r.user as string,
      configure: r.configure as string,
      write: r.write as string,
      read: r.read as string,
    })),
    exchanges: all("SELECT vhost, name, type, auto_delete, internal, arguments FROM exchanges").map((r) => ({
      vhost: r.vhost as string,
      name: r.name as string,
      type: r.type as string,
      durable: true,
      autoDelete: r.auto_delete === 1,
      internal: r.internal === 1,
      arguments: decodeTable(r.arguments as Uint8Array),
    })),
    bindings: all("SELECT vhost, source, destination, destination_type, routing_key, arguments FROM bindings")
      .map(
        (r) => ({
          vhost: r.vhost as string,
          source: r.source as string,
          destination: r.destination as string,
          destinationType: r.destination_type as "queue" | "exchange",
          routingKey: r.routing_key as string,
          arguments: decodeTable(r.arguments as Uint8Array),
        }),
      ),
  };
}

/** The durable queues, each with its message count, last sequence number and next expiry. */
function readQueues(db: DatabaseSync, all: ReadAll): RecoveredQueue[] {
  const stats = db.prepare(
    `SELECT count(*) AS n, coalesce(max(seq), 0) AS max_seq,
            coalesce(min(CASE WHEN expires_at > 0 THEN expires_at END), 0) AS next_expires_at
     FROM queue_messages WHERE queue_id = ?`,
  );
  const queues: RecoveredQueue[] = [];
  for (const r of all("SELECT id, vhost, name, auto_delete, arguments, delivered_seq FROM queues")) {
    const s = stats.get(r.id as number) as Row;
    queues.push({
      id: r.id as number,
      vhost: r.vhost as string,
      name: r.name as string,
      durable: true,
      autoDelete: r.auto_delete === 1,
      arguments: decodeTable(r.arguments as Uint8Array),
      messageCount: s.n as number,
      maxSeq: s.max_seq as number,
      deliveredSeq: r.delivered_seq as number,
      nextExpiresAt: s.next_expires_at as number,
    });
  }
  return queues;
}
