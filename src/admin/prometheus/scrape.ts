// What one scrape reads, gathered once from the live model and the
// process: the open connections and channels, the queues, the node's
// counters and the operating system's figures. Everything is computed here,
// on the scrape, never kept up to date on the message path.
import type { Broker } from "../../broker/broker.ts";
import type { NodeCounters } from "../../broker/node_counters.ts";
import type { Queue } from "../../broker/queue.ts";
import type { Channel } from "../../server/channel.ts";
import type { Connection } from "../../server/connection.ts";
import type { AdminNode } from "../context.ts";
import {
  diskFreeBytes,
  maxFileDescriptors,
  openFileDescriptors,
  residentMemoryBytes,
} from "./process_facts.ts";

/** The node facts the metrics report that the model does not hold. */
export interface NodeIdentity {
  nodeName: string;
  clusterName: string;
  clusterId: string;
  startedAtMs: number;
  /** Where disk space is measured; null for an in-memory node (the working directory's disk is shown). */
  dataDir: string | null;
  connectionName(c: Connection): string;
  channelName(ch: Channel): string;
}

export class Scrape {
  readonly broker: Broker;
  readonly counters: NodeCounters;
  /** Connections past connection.open, as RabbitMQ lists them. */
  readonly connections: Connection[];
  readonly channels: Channel[] = [];
  readonly queues: Queue[] = [];

  constructor(readonly node: AdminNode, readonly identity: NodeIdentity) {
    this.broker = node.broker;
    this.counters = node.broker.counters;
    this.connections = [...node.connections].filter((c) => c.hasOpened);
    for (const c of this.connections) for (const ch of c.channels.values()) this.channels.push(ch);
    for (const v of this.broker.vhosts.values()) for (const q of v.queues.values()) this.queues.push(q);
  }

  /** Queues of the vhosts asked for (all of them for null). */
  queuesIn(vhosts: ReadonlySet<string> | null): Queue[] {
    return vhosts === null ? this.queues : this.queues.filter((q) => vhosts.has(q.vhost));
  }

  get socketCount(): number {
    return this.node.connections.size;
  }

  get residentMemoryBytes(): number {
    return residentMemoryBytes();
  }

  get openFds(): number | null {
    return openFileDescriptors();
  }

  get maxFds(): number | null {
    return maxFileDescriptors();
  }

  get diskFreeBytes(): number | null {
    return diskFreeBytes(this.identity.dataDir ?? ".");
  }

  get memoryLimitBytes(): number | null {
    return this.node.alarms?.memoryLimitBytes ?? null;
  }

  get diskFreeLimitBytes(): number | null {
    return this.node.alarms?.limits.diskFreeLimitBytes ?? null;
  }
}
