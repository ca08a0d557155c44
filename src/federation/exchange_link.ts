// Exchange federation with Warren downstream, laid out upstream as
// RabbitMQ 3.10 lays it out: an internal exchange "federation: X -> <cluster>
// B" bound to the upstream exchange with every binding key the downstream
// exchange has (kept in step while the link runs), and a queue "federation:
// X -> <cluster>" (x-expires, x-message-ttl) bound to it, which the link
// consumes (the downstream vhost and exchange are added to the names where
// they differ from the upstream's). The internal exchange is of RabbitMQ's
// type x-federation-upstream, which drops messages past max-hops upstream;
// an upstream without that type (Warren) answers 503 and gets a fanout, as
// RabbitMQ's link falls back too. Either way every message is checked here
// as well: past max-hops, or already seen by this cluster, it is dropped,
// and it arrives with an x-received-from entry saying where it came from.
import type { ClientChannel, ClientConnection, Delivery } from "../client/amqp_client.ts";
import { ServerClosed } from "../client/amqp_client.ts";
import { maskUri, parseAmqpUri } from "../client/amqp_uri.ts";
import { connectToUri } from "../client/connect.ts";
import { REPLY_COMMAND_INVALID } from "../amqp/errors.ts";
import { type FieldTable, fieldTableKey, type FieldValue } from "../amqp/field_table.ts";
import { decodeProperties, encodeProperties } from "../amqp/properties.ts";
import { FederationLink, type LinkEnvironment, type LinkIdentity } from "./link.ts";

export const RECEIVED_FROM_HEADER = "x-received-from";

export interface LocalBinding {
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

export class ExchangeLink extends FederationLink {
  readonly type = "exchange";
  #ch: ClientChannel | null = null;
  /** Upstream bindings in place, by routing key and arguments. */
  readonly #bound = new Map<string, LocalBinding>();
  #syncing: Promise<void> | null = null;
  #upstreamCluster = "";

  constructor(
    id: LinkIdentity,
    env: LinkEnvironment,
    /** The downstream exchange's bindings, mirrored upstream. */
    readonly localBindings: () => Iterable<LocalBinding>,
  ) {
    super(id, env);
  }

  get upstreamExchange(): string {
    return this.upstream.exchange ?? this.id.name;
  }

  /**
   * The upstream queue's name; the internal exchange's is this plus " B".
   * As RabbitMQ names it: the downstream exchange and vhost are added only
   * where they differ from the upstream's.
   */
  get queueName(): string {
    const upstreamVHost = parseAmqpUri(this.uri ?? this.upstream.uris[0]).vhost;
    const suffix = upstreamVHost !== this.vhost
      ? `:${this.vhost}:${this.id.name}`
      : this.id.name !== this.upstreamExchange
      ? `:${this.id.name}`
      : "";
    return `federation: ${this.upstreamExchange} -> ${this.env.clusterName}${suffix}`;
  }

  protected async setUp(up: ClientConnection, local: ClientConnection): Promise<Promise<Error>[]> {
    const u = this.upstream;
    this.#upstreamCluster = String(up.serverProperties.cluster_name ?? "");
    const ch = await up.channel();
    await ch.call("exchange.declare", { exchange: this.upstreamExchange, passive: true });
    const internal = `${this.queueName} B`;
    if (!(await this.#declareHopFilter(internal))) {
      await ch.call("exchange.declare", {
        exchange: internal,
        type: "fanout",
        durable: true,
        autoDelete: true,
        internal: true,
        arguments: { "x-internal-purpose": "federation" },
      });
    }
    const args: FieldTable = { "x-internal-purpose": "federation" };
    if (u.expiresMs !== null) args["x-expires"] = u.expiresMs;
    if (u.messageTtlMs !== null) args["x-message-ttl"] = u.messageTtlMs;
    await ch.call("queue.declare", { queue: this.queueName, durable: true, arguments: args });
    await ch.call("queue.bind", { queue: this.queueName, exchange: internal, routingKey: "" });
    this.#ch = ch;
    this.#bound.clear();
    await this.#sync();
    if (u.prefetchCount > 0) await ch.call("basic.qos", { prefetchCount: u.prefetchCount });
    const localCh = await local.channel();
    await this.startForwarding(ch, localCh);
    await ch.consume(this.queueName, {
      noAck: u.ackMode === "no-ack",
      ...(u.consumerTag !== null ? { consumerTag: u.consumerTag } : {}),
    }, this.#onDelivery);
    return [ch.closed, localCh.closed];
  }

  /**
   * Declares the internal exchange as x-federation-upstream on a throwaway
   * connection (an unknown type closes the whole connection with 503);
   * false when the upstream does not know the type.
   */
  async #declareHopFilter(name: string): Promise<boolean> {
    const [tmp] = await connectToUri([this.uri!], {
      connectLocal: this.env.connectLocal,
      connectionName: "Disposable exchange federation link connection",
      signal: this.abort.signal,
    });
    try {
      const ch = await tmp.channel();
      await ch.call("exchange.declare", {
        exchange: name,
        type: "x-federation-upstream",
        durable: true,
        autoDelete: true,
        internal: true,
        arguments: {
          "x-downstream-name": this.env.clusterName,
          "x-downstream-vhost": this.vhost,
          "x-internal-purpose": "federation",
          // RabbitMQ's exchange type reads it as a long ('l') and fails to route anything else.
          "x-max-hops": BigInt(this.upstream.maxHops),
        },
      });
      return true;
    } catch (e) {
      if (e instanceof ServerClosed && e.replyCode === REPLY_COMMAND_INVALID) return false;
      throw e;
    } finally {
      await tmp.close();
    }
  }

  protected override async cleanUpstream(): Promise<void> {
    const ch = this.#ch;
    if (ch === null) return;
    await ch.call("queue.delete", { queue: this.queueName });
    await ch.call("exchange.delete", { exchange: `${this.queueName} B` });
  }

  protected override tearDown(): void {
    super.tearDown();
    this.#ch = null;
  }

  /** Brings the upstream bindings in line with the downstream exchange's (called periodically). */
  syncBindings(): void {
    if (this.#ch === null || this.#syncing !== null) return;
    this.#syncing = this.#sync().catch((e) => this.fail(e as Error)).finally(() => (this.#syncing = null));
  }

  async #sync(): Promise<void> {
    const ch = this.#ch;
    if (ch === null) return;
    const internal = `${this.queueName} B`;
    const wanted = new Map<string, LocalBinding>();
    for (const b of this.localBindings()) wanted.set(`${b.routingKey}\u0000${fieldTableKey(b.arguments)}`, b);
    for (const [k, b] of wanted) {
      if (this.#bound.has(k)) continue;
      await ch.call("exchange.bind", {
        destination: internal,
        source: this.upstreamExchange,
        routingKey: b.routingKey,
        arguments: b.arguments,
      });
      this.#bound.set(k, b);
    }
    for (const [k, b] of [...this.#bound]) {
      if (wanted.has(k)) continue;
      await ch.call("exchange.unbind", {
        destination: internal,
        source: this.upstreamExchange,
        routingKey: b.routingKey,
        arguments: b.arguments,
      });
      this.#bound.delete(k);
    }
  }

  // Unlike a queue link or a shovel, every message is decoded and re-encoded here: the hop
  // check reads its headers and x-received-from is added to them (RabbitMQ does the same).
  #onDelivery = (d: Delivery): void => {
    const props = decodeProperties(d.rawProperties);
    const headers: FieldTable = { ...(props.headers ?? {}) };
    const seen = Array.isArray(headers[RECEIVED_FROM_HEADER])
      ? headers[RECEIVED_FROM_HEADER] as FieldValue[]
      : [];
    if (seen.length >= this.upstream.maxHops || this.#seenHere(seen)) {
      this.drop(d);
      return;
    }
    headers[RECEIVED_FROM_HEADER] = [{
      uri: maskUri(this.uri ?? ""),
      exchange: this.upstreamExchange,
      redelivered: d.redelivered,
      "cluster-name": this.#upstreamCluster,
    }, ...seen];
    props.headers = headers;
    if (!this.upstream.trustUserId) delete props.userId;
    this.forward(d, this.id.name, d.routingKey, encodeProperties(props));
  };

  /** The message went through this cluster already: it came round a cycle. */
  #seenHere(seen: FieldValue[]): boolean {
    for (const hop of seen) {
      if (
        hop !== null && typeof hop === "object" &&
        (hop as FieldTable)["cluster-name"] === this.env.clusterName
      ) {
        return true;
      }
    }
    return false;
  }
}
