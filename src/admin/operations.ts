// What the API changes in the model, with the checks RabbitMQ applies when
// its management plugin acts for a user: the user's configure/write/read
// permissions (the ctl secret bypasses them), exclusive-queue ownership,
// and the broker's own rules, whose AmqpErrors become HTTP errors here.
import { present } from "../assert.ts";
import { AmqpError } from "../amqp/errors.ts";
import { decodeProperties, encodeProperties } from "../amqp/properties.ts";
import type { AccessKind, ResourceKind } from "../auth/users.ts";
import { Message, type QueueEntry } from "../broker/message.ts";
import type { Queue } from "../broker/queue.ts";
import type { VHost } from "../broker/vhost.ts";
import type { Principal } from "./auth.ts";
import type { AdminContext } from "./context.ts";
import { ApiError, badRequest, fromAmqpError, notAuthorised, objectNotFound } from "./http.ts";
import { propertiesJson } from "./format.ts";

/**
 * The "connection" the API acts as: not any client's, so exclusive queues
 * of clients are locked to it as they are to another connection.
 */
export const API_OWNER: object = Object.freeze({ kind: "management-api" });

/** How an operation reports failures: management "direct" requests vs. ones done over a channel. */
export type Mode = "direct" | "channel";

export function runBroker<T>(mode: Mode, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AmqpError) {
      if (mode === "direct") {
        if (e.replyCode === 404) throw new ApiError(404, "not_found", e.message);
        if (e.replyCode === 403 || e.replyCode === 530) throw notAuthorised("Access refused.");
        throw badRequest(e.message);
      }
      throw fromAmqpError(e);
    }
    throw e;
  }
}

/** The vhost named in the path, or 404. */
export function vhostOr404(ctx: AdminContext, name: string): VHost {
  const v = ctx.broker.vhost(name);
  if (!v) throw objectNotFound();
  return v;
}

/** A vhost known to exist: its name was just read from the broker, or checked before. */
export function existingVHost(ctx: AdminContext, name: string): VHost {
  return present(ctx.broker.vhost(name), `vhost '${name}' exists`);
}

/** The queue named in the path, or 404. */
export function queueOr404(ctx: AdminContext, vhost: string, name: string): Queue {
  const q = vhostOr404(ctx, vhost).queues.get(name);
  if (!q) throw objectNotFound();
  return q;
}

/** Checks what an AMQP client logged in as `p` would need for this operation. */
export function authorize(
  ctx: AdminContext,
  p: Principal,
  mode: Mode,
  check: { vhost: string; kind: AccessKind; resource: ResourceKind; name: string },
): void {
  if (p.internal) return;
  if (!ctx.users.canAccessVHost(p.name, check.vhost)) throw notAuthorised("Access refused.");
  runBroker(mode, () => ctx.users.checkAccess(p.name, check.vhost, check.kind, check.resource, check.name));
}

// ---- basic.get over HTTP -------------------------------------------------

export type AckMode =
  | "ack_requeue_true"
  | "ack_requeue_false"
  | "reject_requeue_true"
  | "reject_requeue_false";
export const ACK_MODES: readonly AckMode[] = [
  "ack_requeue_true",
  "ack_requeue_false",
  "reject_requeue_true",
  "reject_requeue_false",
];

export interface GetOptions {
  count: number;
  ackMode: AckMode;
  encoding: "auto" | "base64";
  /** Bytes of payload to return at most; null for all. */
  truncate: number | null;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(s);
}

function payloadPart(
  body: Uint8Array,
  encoding: "auto" | "base64",
): { payload: string; payload_encoding: string } {
  if (encoding === "auto") {
    try {
      return { payload: strictUtf8.decode(body), payload_encoding: "string" };
    } catch { /* not UTF-8: base64 */ }
  }
  return { payload: bytesToBase64(body), payload_encoding: "base64" };
}

/**
 * Takes up to `count` messages from the head of the queue and settles them
 * as `ackMode` says; requeued ones go back at the head, in order, marked
 * redelivered (as they do in RabbitMQ when its management channel closes).
 */
export function getMessages(q: Queue, o: GetOptions): Record<string, unknown>[] {
  const taken: QueueEntry[] = [];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < o.count; i++) {
    const entry = q.get(false);
    if (!entry) break;
    taken.push(entry);
    const m = entry.message;
    const body = o.truncate !== null && m.body.length > o.truncate ? m.body.subarray(0, o.truncate) : m.body;
    out.push({
      payload_bytes: m.body.length,
      redelivered: entry.redelivered,
      exchange: m.exchange,
      routing_key: m.routingKey,
      message_count: q.messageCount,
      // What basic.get would carry (a quorum queue adds x-delivery-count).
      properties: propertiesJson(decodeProperties(q.deliveryProperties(entry, true))),
      ...payloadPart(body, o.encoding),
    });
  }
  switch (o.ackMode) {
    case "ack_requeue_false":
      for (const e of taken) q.ack(e);
      break;
    case "reject_requeue_false":
      for (const e of taken) q.discard(e);
      break;
    default:
      // As RabbitMQ's management plugin does it: its channel closes with the messages unacked.
      q.requeue(taken, true);
  }
  return out;
}

// ---- basic.publish over HTTP -----------------------------------------------

export interface PublishRequest {
  exchange: string;
  routingKey: string;
  properties: Parameters<typeof encodeProperties>[0];
  body: Uint8Array;
}

/** Publishes one message; resolves true when it reached a queue. Waits for the disk when it must. */
export async function publishMessage(v: VHost, p: Principal, r: PublishRequest): Promise<boolean> {
  const x = v.exchanges.get(r.exchange);
  if (!x) throw objectNotFound();
  if (x.internal) {
    throw notAuthorised(
      `ACCESS_REFUSED - cannot publish to internal exchange '${r.exchange}' in vhost '${v.name}'`,
    );
  }
  const userId = r.properties.userId;
  if (userId !== undefined && !p.internal && userId !== p.name) {
    throw badRequest(
      `406 PRECONDITION_FAILED - user_id property set to '${userId}' but authenticated user was '${p.name}'`,
    );
  }
  const raw = encodeProperties(r.properties);
  const persistent = r.properties.deliveryMode === 2;
  const message = new Message(r.exchange, r.routingKey, raw, r.body, persistent);
  const queues = runBroker("channel", () => v.publish(x, message).queues);
  const routed = queues.length > 0;
  let durable = false;
  for (let i = 0; i < queues.length; i++) if (queues[i].durable) durable = true;
  if (persistent && durable) {
    const ok = await new Promise<boolean>((resolve) => v.store.whenDurable(resolve));
    if (!ok) throw new ApiError(500, "internal_server_error", "the message could not be written to disk");
  }
  return routed;
}
