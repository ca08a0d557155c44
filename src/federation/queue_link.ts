// Queue federation with Warren downstream: the link consumes from the
// upstream queue only while the local queue has consumers with room and no
// messages waiting for them, so messages move to where they are being
// consumed and stay upstream otherwise. It consumes with priority -1
// (x-priority), as RabbitMQ's link does, so the upstream's own consumers
// come first. Messages arrive through the default exchange, unchanged.
import type { ClientChannel, ClientConnection, Delivery } from "../client/amqp_client.ts";
import { REPLY_NOT_FOUND } from "../amqp/errors.ts";
import { ServerClosed } from "../client/amqp_client.ts";
import { FederationLink, type LinkEnvironment, type LinkIdentity } from "./link.ts";

export interface LocalQueueDemand {
  /** The local queue has consumers that could take a message now and nothing ready for them. */
  wantsMessages(): boolean;
  /** The local queue has any consumer at all (while it has, the link keeps consuming). */
  hasConsumers(): boolean;
}

/** How often the local queue's demand is looked at. */
const DEMAND_CHECK_MS = 100;

export class QueueLink extends FederationLink {
  readonly type = "queue";
  #ch: ClientChannel | null = null;
  #consuming = false;
  #switching = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    id: LinkIdentity,
    env: LinkEnvironment,
    readonly local: LocalQueueDemand,
  ) {
    super(id, env);
  }

  get upstreamQueue(): string {
    return this.upstream.queue ?? this.id.name;
  }

  get consumerTag(): string {
    return this.upstream.consumerTag ?? `federation-link-${this.upstream.name}`;
  }

  protected async setUp(up: ClientConnection, local: ClientConnection): Promise<Promise<Error>[]> {
    const u = this.upstream;
    const probe = await up.channel();
    try {
      await probe.call("queue.declare", { queue: this.upstreamQueue, passive: true });
      await probe.close();
    } catch (e) {
      if (!(e instanceof ServerClosed) || e.replyCode !== REPLY_NOT_FOUND) throw e;
      const ch = await up.channel();
      await ch.call("queue.declare", { queue: this.upstreamQueue, durable: true });
      await ch.close();
    }
    const ch = await up.channel();
    if (u.prefetchCount > 0) await ch.call("basic.qos", { prefetchCount: u.prefetchCount });
    const localCh = await local.channel();
    await this.startForwarding(ch, localCh);
    this.#ch = ch;
    this.#consuming = false;
    this.#timer = setInterval(() => this.#checkDemand(), DEMAND_CHECK_MS);
    this.#checkDemand();
    return [ch.closed, localCh.closed];
  }

  protected override tearDown(): void {
    super.tearDown();
    clearInterval(this.#timer);
    this.#ch = null;
    this.#consuming = false;
  }

  /** Starts consuming upstream when local consumers wait; stops when none are left. */
  #checkDemand(): void {
    const ch = this.#ch;
    if (ch === null || this.#switching) return;
    const want = this.local.wantsMessages();
    if (want && !this.#consuming) {
      this.#switch(
        ch.consume(this.upstreamQueue, {
          noAck: this.upstream.ackMode === "no-ack",
          consumerTag: this.consumerTag,
          arguments: { "x-priority": -1 },
        }, this.#onDelivery).then(() => (this.#consuming = true)),
      );
    } else if (!want && this.#consuming && !this.local.hasConsumers()) {
      this.#switch(
        ch.call("basic.cancel", { consumerTag: this.consumerTag }).then(() => (this.#consuming = false)),
      );
    }
  }

  #switch(p: Promise<unknown>): void {
    this.#switching = true;
    p.catch((e) => this.fail(e as Error)).finally(() => (this.#switching = false));
  }

  #onDelivery = (d: Delivery): void => {
    this.forward(d, "", this.id.name, d.rawProperties);
  };
}
