// The node's model: its vhosts over one store. The server, admin API and
// CLI all read and change this one object.
import type { Store, StoreSnapshot } from "../store/store.ts";
import { VHost } from "./vhost.ts";
import { NodeCounters } from "./node_counters.ts";
import { RuntimeParameters } from "./runtime_parameters.ts";
import { VHOST_LIMITS_COMPONENT, vhostLimitsComponent } from "./vhost_limits.ts";
import { OPERATOR_POLICY_COMPONENT, operatorPolicyComponent } from "./operator_policies.ts";

export class Broker {
  readonly vhosts = new Map<string, VHost>();
  readonly counters = new NodeCounters();
  readonly parameters: RuntimeParameters;

  constructor(readonly store: Store) {
    this.parameters = new RuntimeParameters(store);
    // Both are runtime parameters in RabbitMQ too, so they are stored and exported as such.
    const vhostNamed = (name: string) => this.vhosts.get(name);
    this.parameters.registerComponent(VHOST_LIMITS_COMPONENT, vhostLimitsComponent(vhostNamed));
    this.parameters.registerComponent(OPERATOR_POLICY_COMPONENT, operatorPolicyComponent(vhostNamed));
  }

  /** The vhost, created (and stored) if it does not exist yet. */
  addVHost(name: string): VHost {
    let v = this.vhosts.get(name);
    if (!v) {
      v = new VHost(name, this.store, this.counters);
      this.vhosts.set(name, v);
      this.store.saveVHost(name);
    }
    return v;
  }

  /** Deletes a vhost and everything in it; false when there was none. */
  deleteVHost(name: string): boolean {
    const v = this.vhosts.get(name);
    if (!v) return false;
    v.clear();
    this.parameters.clearVHost(name);
    this.vhosts.delete(name);
    this.store.deleteVHost(name);
    return true;
  }

  /** Rebuilds vhosts and durable exchanges, queues and bindings from what the store loaded. */
  restore(snapshot: StoreSnapshot): void {
    const vhost = (name: string) => {
      let v = this.vhosts.get(name);
      if (!v) {
        v = new VHost(name, this.store, this.counters);
        this.vhosts.set(name, v);
      }
      return v;
    };
    for (const name of snapshot.vhosts) vhost(name);
    for (const p of snapshot.policies) {
      try {
        vhost(p.vhost).policies.set(p);
      } catch {
        // A policy this version no longer accepts is skipped, not fatal.
      }
    }
    for (const r of snapshot.exchanges) vhost(r.vhost).restoreExchange(r);
    for (const r of snapshot.queues) vhost(r.vhost).restoreQueue(r);
    for (const r of snapshot.bindings) vhost(r.vhost).restoreBinding(r);
    for (const v of this.vhosts.values()) v.applyPolicies();
    this.parameters.restore(snapshot);
    for (const d of snapshot.delayed) vhost(d.vhost).delayed.add(d.id, d.exchange, d.dueAt);
  }

  /** Stops every timer the model holds (node shutdown). */
  close(): void {
    for (const v of this.vhosts.values()) v.close();
  }

  vhost(name: string): VHost | undefined {
    return this.vhosts.get(name);
  }
}
