// Dead-lettering as RabbitMQ does it: the message is republished to the
// queue's dead-letter exchange with an `x-death` history (one entry per
// queue and reason, counted, newest first) and `x-first-death-*` headers;
// its per-message expiration moves to `original-expiration`. A message that
// would come back to a queue it already died in, with no rejection on the
// way, is a cycle and is dropped there.
import type { FieldTable, FieldValue } from "../amqp/field_table.ts";
import { type BasicProperties, encodeProperties } from "../amqp/properties.ts";
import { Message } from "./message.ts";
import type { DeadLetterReason } from "./queue.ts";

export interface DeadLettered {
  message: Message;
  /** Whether delivering to the named queue would close a cycle with no rejection in it. */
  isCycle(queue: string): boolean;
}

export function deadLetterMessage(
  original: Message,
  from: { queue: string; exchange: string; routingKey: string | null },
  reason: DeadLetterReason,
  now: Date = new Date(),
): DeadLettered {
  const props: BasicProperties = { ...original.properties };
  const headers: FieldTable = { ...(props.headers ?? {}) };
  const history = Array.isArray(headers["x-death"]) ? [...headers["x-death"] as FieldValue[]] : [];
  const routingKeys: FieldValue[] = [original.routingKey];
  const cc = headers["CC"];
  if (Array.isArray(cc)) routingKeys.push(...cc);
  const same = history.findIndex((d) => isDeath(d) && d.queue === from.queue && d.reason === reason);
  let death: FieldTable;
  if (same >= 0) {
    const prev = history.splice(same, 1)[0] as FieldTable;
    death = { ...prev, count: BigInt(Number(prev.count ?? 0) + 1) };
  } else {
    death = {
      count: 1n, // a long, as RabbitMQ writes it
      reason,
      queue: from.queue,
      time: now,
      exchange: original.exchange,
      "routing-keys": routingKeys,
    };
    if (props.expiration !== undefined) death["original-expiration"] = props.expiration;
  }
  // After the first death RabbitMQ rewrites the entries it touches with their fields in name order.
  history.unshift(history.length > 0 || same >= 0 ? sortedFields(death) : death);
  // Decoding turned the other entries' 64-bit counts into plain numbers; they go back out as longs.
  for (let i = 1; i < history.length; i++) {
    const d = history[i];
    if (isDeath(d) && typeof d.count === "number") history[i] = { ...d, count: BigInt(d.count) };
  }
  headers["x-death"] = history;
  if (headers["x-first-death-reason"] === undefined) {
    // In RabbitMQ's order on the wire.
    headers["x-first-death-exchange"] = original.exchange;
    headers["x-first-death-queue"] = from.queue;
    headers["x-first-death-reason"] = reason;
  }
  // With a dead-letter routing key the CC keys are not routed again, so RabbitMQ drops the header.
  if (from.routingKey !== null) delete headers["CC"];
  props.headers = headers;
  delete props.expiration;
  const message = new Message(
    from.exchange,
    from.routingKey ?? original.routingKey,
    encodeProperties(props),
    original.body,
    // From the properties: a quorum queue holds transient messages as persistent twins.
    props.deliveryMode === 2,
  );
  return {
    message,
    // A consumer's rejection is a decision, not a loop: rejected messages may go anywhere.
    isCycle: reason === "rejected" ? () => false : (queue) => isCycle(queue, history),
  };
}

function sortedFields(t: FieldTable): FieldTable {
  const out: FieldTable = {};
  for (const k of Object.keys(t).sort()) out[k] = t[k];
  return out;
}

function isDeath(v: FieldValue): v is FieldTable {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) &&
    !(v instanceof Date);
}

/** The deaths back to the queue's last one form a cycle when none of them was a rejection. */
function isCycle(queue: string, history: FieldValue[]): boolean {
  for (const d of history) {
    if (!isDeath(d)) continue;
    if (d.reason === "rejected") return false;
    if (d.queue === queue) return true;
  }
  return false;
}
