// Users and their vhost permissions, kept in the store. Authentication
// answers "who is this"; the server asks canAccessVHost before
// connection.open-ok.
import type { Store, StoreSnapshot } from "../store/store.ts";
import { checkPassword, hashPassword } from "./password.ts";

export interface User {
  name: string;
  passwordHash: string;
  tags: string[];
}

export interface Permission {
  configure: string;
  write: string;
  read: string;
}

export class UserRegistry {
  readonly users = new Map<string, User>();
  /** vhost -> user -> permission */
  readonly permissions = new Map<string, Map<string, Permission>>();
  /** Users allowed to log in only from a loopback address (RabbitMQ's loopback_users). */
  loopbackUsers = new Set<string>(["guest"]);

  constructor(readonly store: Store) {}

  restore(snapshot: StoreSnapshot): void {
    for (const u of snapshot.users) this.users.set(u.name, { ...u });
    for (const p of snapshot.permissions) this.#permissionsOf(p.vhost).set(p.user, { ...p });
  }

  addUser(name: string, password: string, tags: string[] = []): User {
    const user = { name, passwordHash: hashPassword(password), tags };
    this.users.set(name, user);
    this.store.saveUser(user);
    return user;
  }

  setPermission(vhost: string, user: string, permission: Permission): void {
    this.#permissionsOf(vhost).set(user, permission);
    this.store.savePermission({ vhost, user, ...permission });
  }

  #permissionsOf(vhost: string): Map<string, Permission> {
    let byUser = this.permissions.get(vhost);
    if (!byUser) {
      byUser = new Map();
      this.permissions.set(vhost, byUser);
    }
    return byUser;
  }

  /** The user when the password matches, else undefined. */
  authenticate(name: string, password: string): User | undefined {
    const user = this.users.get(name);
    if (!user || !checkPassword(password, user.passwordHash)) return undefined;
    return user;
  }

  canAccessVHost(user: string, vhost: string): boolean {
    return this.permissions.get(vhost)?.has(user) ?? false;
  }
}
