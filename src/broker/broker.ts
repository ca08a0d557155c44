// The node's model: its vhosts over one store. The server, admin API and
// CLI all read and change this one object.
import type { Store } from "../store/store.ts";
import { VHost } from "./vhost.ts";

export const DEFAULT_VHOST = "/";

export class Broker {
  readonly vhosts = new Map<string, VHost>();

  constructor(readonly store: Store) {
    this.addVHost(DEFAULT_VHOST);
  }

  addVHost(name: string): VHost {
    let v = this.vhosts.get(name);
    if (!v) {
      v = new VHost(name, this.store);
      this.vhosts.set(name, v);
    }
    return v;
  }

  vhost(name: string): VHost | undefined {
    return this.vhosts.get(name);
  }
}
