// The "shovel" runtime-parameter component: validates shovel definitions,
// runs one Shovel per parameter (started when set, at boot, or restarted
// when changed; stopped when cleared) and reports their status in the shape
// of RabbitMQ's shovel management plugin.
import type { ClientTransport } from "../client/amqp_client.ts";
import { maskUri } from "../client/amqp_uri.ts";
import type { ParameterComponent, RuntimeParameters } from "../broker/runtime_parameters.ts";
import { Shovel } from "./shovel.ts";
import { parseShovel, validateShovel, type VHostAccessCheck } from "./shovel_config.ts";

export const SHOVEL_COMPONENT = "shovel";

export interface ShovelSupervisorOptions {
  parameters: RuntimeParameters;
  connectLocal(): ClientTransport;
  nodeName: string;
  /** Whether `user` may connect to `vhost` on this node (a URI with no host must name one they can use). */
  mayConnect(user: string, vhost: string): boolean;
}

export interface ShovelStatus {
  node: string;
  timestamp: string;
  name: string;
  vhost: string;
  type: "dynamic";
  state: string;
  reason?: string;
  src_uri?: string;
  src_protocol?: string;
  dest_protocol?: string;
  dest_uri?: string;
  src_queue?: string;
  src_exchange?: string;
  src_exchange_key?: string;
  dest_queue?: string;
  dest_exchange?: string;
  dest_exchange_key?: string;
  /** Warren's additions: messages moved, and source redeliveries (possible duplicates). */
  messages_forwarded: number;
  messages_redelivered: number;
}

function key(vhost: string, name: string): string {
  return `${vhost}\u0000${name}`;
}

/** "2026-11-27 18:56:48", local time, as RabbitMQ prints shovel timestamps. */
function statusTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${
    p(d.getMinutes())
  }:${p(d.getSeconds())}`;
}

export class ShovelSupervisor implements ParameterComponent {
  readonly #shovels = new Map<string, Shovel>();
  readonly #stopping = new Set<Promise<void>>();
  #closed = false;

  constructor(readonly options: ShovelSupervisorOptions) {}

  validate(_vhost: string, name: string, value: unknown, user: string | null): string[] {
    const access: VHostAccessCheck = user
      ? (v) => this.options.mayConnect(user, v) ? null : `user "${user}" may not connect to vhost "${v}"`
      : null;
    return validateShovel(name, value, access);
  }

  onSet(vhost: string, name: string, value: unknown): void {
    if (this.#closed) return;
    this.#stop(vhost, name);
    const shovel = new Shovel(vhost, name, parseShovel(value as Record<string, unknown>), {
      connectLocal: () => this.options.connectLocal(),
      nodeName: this.options.nodeName,
      finished: (s) => {
        if (this.#shovels.get(key(s.vhost, s.name)) === s) {
          this.options.parameters.clear(SHOVEL_COMPONENT, s.vhost, s.name);
        }
      },
    });
    this.#shovels.set(key(vhost, name), shovel);
    shovel.start();
  }

  onClear(vhost: string, name: string): void {
    this.#stop(vhost, name);
  }

  #stop(vhost: string, name: string): void {
    const s = this.#shovels.get(key(vhost, name));
    if (!s) return;
    this.#shovels.delete(key(vhost, name));
    const p = s.stop();
    this.#stopping.add(p);
    p.finally(() => this.#stopping.delete(p));
  }

  /** Restarts a running shovel; false when there is none by that name. */
  restart(vhost: string, name: string): boolean {
    const s = this.#shovels.get(key(vhost, name));
    if (!s) return false;
    s.restart();
    return true;
  }

  get(vhost: string, name: string): Shovel | undefined {
    return this.#shovels.get(key(vhost, name));
  }

  status(vhost?: string): ShovelStatus[] {
    const out: ShovelStatus[] = [];
    for (const s of this.#shovels.values()) {
      if (vhost !== undefined && s.vhost !== vhost) continue;
      out.push(this.#statusOf(s));
    }
    return out.sort((a, b) => a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name));
  }

  #statusOf(s: Shovel): ShovelStatus {
    const st: ShovelStatus = {
      node: this.options.nodeName,
      timestamp: statusTime(s.changedAt),
      name: s.name,
      vhost: s.vhost,
      type: "dynamic",
      state: s.state,
      messages_forwarded: s.forwarded,
      messages_redelivered: s.redelivered,
    };
    if (s.state === "terminated") st.reason = s.reason ?? "";
    if (s.state === "running") {
      const c = s.config;
      st.src_uri = maskUri(s.srcUri ?? "");
      st.src_protocol = "amqp091";
      st.dest_protocol = "amqp091";
      st.dest_uri = maskUri(s.destUri ?? "");
      if (c.srcQueue !== null) st.src_queue = c.srcQueue;
      if (c.srcExchange !== null) {
        st.src_exchange = c.srcExchange;
        st.src_exchange_key = c.srcExchangeKey;
      }
      if (c.destQueue !== null) st.dest_queue = c.destQueue;
      if (c.destExchange !== null) st.dest_exchange = c.destExchange;
      if (c.destExchangeKey !== null) st.dest_exchange_key = c.destExchangeKey;
    }
    return st;
  }

  /** Stops every shovel (node shutdown); their parameters stay, so they start again with the node. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const s of [...this.#shovels.values()]) this.#stop(s.vhost, s.name);
    await Promise.all([...this.#stopping]);
  }
}
