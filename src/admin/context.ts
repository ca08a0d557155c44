// What the admin API works on: the running node's model (the same objects
// the AMQP side uses) plus the few facts about the node it reports.
import type { Broker } from "../broker/broker.ts";
import type { UserRegistry } from "../auth/users.ts";
import type { Connection } from "../server/connection.ts";
import type { ResourceAlarms } from "../server/alarms.ts";
import type { RateTracker } from "./rates.ts";
import type { ShovelSupervisor } from "../shovel/shovel_supervisor.ts";
import type { FederationSupervisor } from "../federation/federation_supervisor.ts";

/** The parts of a running server the admin API reads. */
export interface AdminNode {
  readonly port: number;
  readonly hostname: string;
  readonly broker: Broker;
  readonly users: UserRegistry;
  readonly connections: ReadonlySet<Connection>;
  readonly tlsPort?: number | null;
  readonly extraListeners?: readonly { hostname: string; port: number }[];
  readonly alarms?: ResourceAlarms | null;
  readonly shovels?: ShovelSupervisor;
  readonly federation?: FederationSupervisor;
}

export interface ListenerInfo {
  protocol: "amqp" | "amqp/ssl" | "http" | "http/prometheus";
  ip_address: string;
  port: number;
}

export interface AdminContext {
  readonly node: AdminNode;
  readonly broker: Broker;
  readonly users: UserRegistry;
  readonly nodeName: string;
  readonly clusterName: string;
  readonly startedAtMs: number;
  readonly rates: RateTracker;
  readonly dataDir: string | null;
  /** The effective configuration as rabbitmq.conf keys; null for a node started without one (tests). */
  readonly environment: Record<string, string> | null;
  listeners(): ListenerInfo[];
  /** Listeners started beside the API (the Prometheus one), which add and remove themselves here. */
  readonly extraListeners: ListenerInfo[];
}
