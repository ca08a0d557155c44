// Brings a node's state up from its store: durable entities and users come
// back; an empty store (first start) gets RabbitMQ's defaults — vhost "/"
// and the default user with full permissions on it.
import { Broker } from "../broker/broker.ts";
import { UserRegistry } from "../auth/users.ts";
import type { Store } from "../store/store.ts";
import { DEFAULT_CONFIG } from "../config/config.ts";

export interface NodeDefaults {
  vhost: string;
  user: string;
  pass: string;
  tags: string[];
  /** The default user's permissions on the default vhost (default_permissions.*). */
  permissions?: { configure: string; write: string; read: string };
}

export const RABBITMQ_DEFAULTS: NodeDefaults = {
  vhost: DEFAULT_CONFIG.defaultVHost,
  user: DEFAULT_CONFIG.defaultUser,
  pass: DEFAULT_CONFIG.defaultPass,
  tags: [...DEFAULT_CONFIG.defaultUserTags],
};

export function bootNode(store: Store, defaults: NodeDefaults = RABBITMQ_DEFAULTS): {
  broker: Broker;
  users: UserRegistry;
} {
  const snapshot = store.load();
  const broker = new Broker(store);
  const users = new UserRegistry(store);
  broker.restore(snapshot);
  users.restore(snapshot);
  if (snapshot.vhosts.length === 0 && snapshot.users.length === 0) {
    broker.addVHost(defaults.vhost);
    users.addUser(defaults.user, defaults.pass, defaults.tags);
    users.setPermission(
      defaults.vhost,
      defaults.user,
      defaults.permissions ?? { ...DEFAULT_CONFIG.defaultPermissions },
    );
    store.flush();
  }
  return { broker, users };
}
