// The federation plugin's part of the node: the runtime-parameter
// components for upstreams and upstream sets, and the links. Which links
// should run follows from policies (federation-upstream,
// federation-upstream-set — "all" is every upstream of the vhost —
// or federation-upstream-pattern) matched against the vhost's exchanges and
// queues; the node looks again whenever an upstream changes and every
// RECONCILE_MS (policies, exchanges, queues and bindings change without
// telling this layer), starting, restarting and stopping links to match.
// Status is reported in the shape of RabbitMQ's /api/federation-links.
import type { Broker } from "../broker/broker.ts";
import type { Parameter } from "../broker/runtime_parameters.ts";
import type { VHost } from "../broker/vhost.ts";
import type { ClientTransport } from "../client/amqp_client.ts";
import { maskUri } from "../client/amqp_uri.ts";
import { ExchangeLink } from "./exchange_link.ts";
import type { FederationLink, LinkEnvironment } from "./link.ts";
import { QueueLink } from "./queue_link.ts";
import {
  ALL_UPSTREAMS,
  UPSTREAM_COMPONENT,
  UPSTREAM_SET_COMPONENT,
  type UpstreamConfig,
  upstreamConfig,
  validateUpstream,
  validateUpstreamSet,
} from "./upstream_config.ts";

const RECONCILE_MS = 1_000;

export interface FederationOptions {
  broker: Broker;
  connectLocal(): ClientTransport;
  nodeName: string;
  clusterName: string;
}

export interface FederationLinkStatus {
  node: string;
  vhost: string;
  id: string;
  type: "exchange" | "queue";
  exchange?: string;
  upstream_exchange?: string;
  queue?: string;
  upstream_queue?: string;
  consumer_tag?: string;
  upstream: string;
  status: string;
  error?: string;
  uri?: string;
  timestamp: string;
  /** Warren's addition: messages moved downstream by this link. */
  messages_forwarded: number;
}

interface Wanted {
  type: "exchange" | "queue";
  vhost: string;
  name: string;
  policy: string;
  upstream: UpstreamConfig;
}

function linkKey(w: { type: string; vhost: string; name: string; upstream: { name: string } }): string {
  return `${w.type}\u0000${w.vhost}\u0000${w.name}\u0000${w.upstream.name}`;
}

/** "2026-11-27 19:28:38", local time, as RabbitMQ prints link timestamps. */
function statusTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${
    p(d.getMinutes())
  }:${p(d.getSeconds())}`;
}

/** A short stable id for a link, like the 8 hex digits RabbitMQ shows. */
function shortId(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Objects federation never applies to: the node's own and the federation's own. */
function federatable(name: string, internal: boolean, args: Record<string, unknown>): boolean {
  return name !== "" && !name.startsWith("amq.") && !internal && args["x-internal-purpose"] === undefined;
}

export class FederationSupervisor {
  readonly #links = new Map<string, { link: FederationLink; fingerprint: string }>();
  readonly #stopping = new Set<Promise<void>>();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #env: LinkEnvironment;
  #closed = false;

  constructor(readonly options: FederationOptions) {
    this.#env = {
      connectLocal: () => options.connectLocal(),
      clusterName: options.clusterName,
    };
    const reconcile = () => this.reconcile();
    options.broker.parameters.registerComponent(UPSTREAM_COMPONENT, {
      validate: (_vhost, name, value) => validateUpstream(name, value),
      onSet: reconcile,
      onClear: reconcile,
    });
    options.broker.parameters.registerComponent(UPSTREAM_SET_COMPONENT, {
      validate: (_vhost, name, value) => validateUpstreamSet(name, value),
      onSet: reconcile,
      onClear: reconcile,
    });
    this.#timer = setInterval(reconcile, RECONCILE_MS);
  }

  /** Starts, restarts and stops links to match policies and upstreams now. */
  reconcile(): void {
    if (this.#closed) return;
    const wanted = new Map<string, Wanted>();
    for (const vhost of this.options.broker.vhosts.values()) this.#wantedIn(vhost, wanted);
    for (const [k, { link, fingerprint }] of [...this.#links]) {
      const w = wanted.get(k);
      if (w === undefined || JSON.stringify(w) !== fingerprint) this.#stop(k, link, w === undefined);
    }
    for (const [k, w] of wanted) {
      if (this.#links.has(k)) continue;
      const link = this.#create(w);
      this.#links.set(k, { link, fingerprint: JSON.stringify(w) });
      link.start();
    }
    for (const { link } of this.#links.values()) if (link instanceof ExchangeLink) link.syncBindings();
  }

  #wantedIn(vhost: VHost, out: Map<string, Wanted>): void {
    if (vhost.policies.size === 0) return;
    const params = this.options.broker.parameters;
    const upstreams = params.list({ component: UPSTREAM_COMPONENT, vhost: vhost.name });
    if (upstreams.length === 0) return;
    const add = (type: "exchange" | "queue", name: string) => {
      const policy = vhost.policies.match(name, type);
      if (policy === undefined) return;
      for (const upstream of this.#upstreamsOf(policy.definition, vhost.name, upstreams)) {
        const w: Wanted = { type, vhost: vhost.name, name, policy: policy.name, upstream };
        out.set(linkKey(w), w);
      }
    };
    for (const x of vhost.exchanges.values()) {
      if (federatable(x.name, x.internal, x.arguments)) add("exchange", x.name);
    }
    for (const q of vhost.queues.values()) {
      if (q.exclusiveOwner === null && federatable(q.name, false, q.arguments)) add("queue", q.name);
    }
  }

  #upstreamsOf(definition: Record<string, unknown>, vhost: string, upstreams: Parameter[]): UpstreamConfig[] {
    const value = (p: Parameter) => p.value as Record<string, unknown>;
    const one = definition["federation-upstream"];
    if (typeof one === "string") {
      return upstreams.filter((p) => p.name === one).map((p) => upstreamConfig(p.name, value(p)));
    }
    const pattern = definition["federation-upstream-pattern"];
    if (typeof pattern === "string") {
      let re: RegExp;
      try {
        re = new RegExp(pattern);
      } catch {
        return [];
      }
      return upstreams.filter((p) => re.test(p.name)).map((p) => upstreamConfig(p.name, value(p)));
    }
    const set = definition["federation-upstream-set"];
    if (typeof set !== "string") return [];
    if (set === ALL_UPSTREAMS) return upstreams.map((p) => upstreamConfig(p.name, value(p)));
    const entries = this.options.broker.parameters.get(UPSTREAM_SET_COMPONENT, vhost, set)?.value;
    if (!Array.isArray(entries)) return [];
    const out: UpstreamConfig[] = [];
    for (const { upstream, ...overrides } of entries as Record<string, unknown>[]) {
      const p = upstreams.find((u) => u.name === upstream);
      if (p !== undefined) out.push(upstreamConfig(p.name, value(p), overrides));
    }
    return out;
  }

  #create(w: Wanted): FederationLink {
    const id = { vhost: w.vhost, name: w.name, policy: w.policy, upstream: w.upstream };
    const broker = this.options.broker;
    if (w.type === "exchange") {
      return new ExchangeLink(id, this.#env, () => {
        const x = broker.vhost(w.vhost)?.exchanges.get(w.name);
        return x ? x.bindings.values() : [];
      });
    }
    return new QueueLink(id, this.#env, {
      wantsMessages() {
        const q = broker.vhost(w.vhost)?.queues.get(w.name);
        return q !== undefined && q.messageCount === 0 && q.consumers.some((c) => c.canDeliver());
      },
      hasConsumers() {
        const q = broker.vhost(w.vhost)?.queues.get(w.name);
        return q !== undefined && q.consumers.length > 0;
      },
    });
  }

  #stop(key: string, link: FederationLink, removed = false): void {
    this.#links.delete(key);
    const p = link.stop(removed);
    this.#stopping.add(p);
    p.finally(() => this.#stopping.delete(p));
  }

  status(vhost?: string): FederationLinkStatus[] {
    const out: FederationLinkStatus[] = [];
    for (const [k, { link }] of this.#links) {
      if (vhost !== undefined && link.vhost !== vhost) continue;
      // In the order RabbitMQ's plugin lists the keys.
      const st = { node: this.options.nodeName } as FederationLinkStatus;
      if (link instanceof ExchangeLink) {
        st.exchange = link.id.name;
        st.upstream_exchange = link.upstreamExchange;
      } else if (link instanceof QueueLink) {
        st.queue = link.id.name;
        st.upstream_queue = link.upstreamQueue;
        st.consumer_tag = link.consumerTag;
      }
      st.type = link.type;
      st.vhost = link.vhost;
      st.upstream = link.upstream.name;
      st.id = shortId(k);
      st.status = link.state;
      if (link.state === "error") st.error = link.error ?? "";
      if (link.uri !== null) st.uri = maskUri(link.uri);
      st.timestamp = statusTime(link.changedAt);
      st.messages_forwarded = link.forwarded;
      out.push(st);
    }
    return out.sort((a, b) =>
      a.vhost.localeCompare(b.vhost) ||
      (a.exchange ?? a.queue ?? "").localeCompare(b.exchange ?? b.queue ?? "") ||
      a.upstream.localeCompare(b.upstream)
    );
  }

  /** Stops every link (node shutdown); upstreams and policies stay, so links start again with the node. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const [k, { link }] of [...this.#links]) this.#stop(k, link);
    await Promise.all([...this.#stopping]);
  }
}
