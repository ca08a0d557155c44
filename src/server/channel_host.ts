// What a channel needs from the connection it lives on, and nothing more:
// the channel-side files (channel, publisher, consumers, direct reply-to)
// see the connection only through this, as a queue sees its consumers
// only through QueueHost. Connection implements it.
import type { WireWriter } from "../amqp/wire.ts";
import type { AccessKind, ResourceKind, User } from "../auth/users.ts";
import type { Queue } from "../broker/queue.ts";
import type { VHost } from "../broker/vhost.ts";
import type { Channel } from "./channel.ts";
import type { ServerLimits } from "./limits.ts";

export interface ChannelHost {
  /** The vhost the connection opened: every broker call of its channels goes here. */
  readonly vhost: VHost;
  /** The authenticated user, for the user_id check of published messages. */
  readonly user: User;
  /** One of Warren's own clients (a shovel): trusted, so no permission or user_id checks. */
  readonly internal: boolean;
  readonly limits: ServerLimits;
  /** host:port of the client, for log lines. */
  readonly peer: string;
  /** The client takes basic.cancel from the broker (its consumer_cancel_notify capability). */
  readonly consumerCancelNotify: boolean;

  /** Frames are appended here; scheduleFlush() sends them at the end of the turn. */
  readonly out: WireWriter;
  readonly frameMax: number;
  /** False while the socket has more unsent bytes than the high-water mark: deliveries wait. */
  readonly writable: boolean;
  scheduleFlush(): void;

  /** 403 unless the user may do `kind` on the resource (RabbitMQ's mapping of methods to permissions). */
  authorize(kind: AccessKind, resource: ResourceKind, name: string): void;
  /** Runs `done` once everything stored so far is on disk (`ok` false if the commit failed). */
  whenDurable(done: (ok: boolean) => void): void;
  /** Called for every basic.publish: the first one marks this a publishing connection. */
  notePublish(): void;
  /** A publish went to a queue that cannot keep up: pause reading this connection a moment (flow). */
  noteBacklog(): void;
  /** The channel has settled confirms to write before the next flush. */
  markConfirmsPending(ch: Channel): void;
  /** An exclusive queue this connection declared: deleted when it closes. */
  ownExclusiveQueue(q: Queue): void;
  /** The channel is closed and gives its number back. */
  channelClosed(ch: Channel): void;
}
