// Users, their tags and their per-vhost permissions, kept in the store.
// Authentication answers "who is this"; checkAccess answers "may they touch
// this resource", mapping RabbitMQ's configure/write/read regexes.
import { accessRefused } from "../amqp/errors.ts";
import type { Store, StoreSnapshot } from "../store/store.ts";
import { checkPassword, hashPassword } from "./password.ts";

export interface User {
  name: string;
  passwordHash: string;
  tags: string[];
}

/** Who Warren's own in-process connections act as (RabbitMQ's direct connections show user "none"). */
export const INTERNAL_USER: User = Object.freeze({ name: "none", passwordHash: "", tags: [] as string[] });

export interface Permission {
  configure: string;
  write: string;
  read: string;
}

export type AccessKind = keyof Permission;
export type ResourceKind = "queue" | "exchange";

export const USER_TAGS = ["administrator", "monitoring", "policymaker", "management", "impersonator"];

/** A permission's patterns compiled once; RabbitMQ matches them unanchored, and "" matches nothing. */
class CompiledPermission {
  readonly #res: Record<AccessKind, RegExp | null>;

  constructor(readonly permission: Permission) {
    const compile = (p: string) => (p === "" ? null : new RegExp(p));
    this.#res = {
      configure: compile(permission.configure),
      write: compile(permission.write),
      read: compile(permission.read),
    };
  }

  allows(kind: AccessKind, name: string): boolean {
    const re = this.#res[kind];
    return re !== null && re.test(name);
  }
}

export class UserRegistry {
  readonly users = new Map<string, User>();
  /** vhost -> user -> permission */
  readonly #permissions = new Map<string, Map<string, CompiledPermission>>();
  /** Users allowed to log in only from a loopback address (RabbitMQ's loopback_users). */
  loopbackUsers = new Set<string>(["guest"]);
  /** Bumped on every permission change, so callers may cache granted checks until it moves. */
  version = 0;

  constructor(readonly store: Store) {}

  restore(snapshot: StoreSnapshot): void {
    for (const u of snapshot.users) this.users.set(u.name, { ...u });
    for (const p of snapshot.permissions) {
      this.#permissionsOf(p.vhost).set(
        p.user,
        new CompiledPermission({ configure: p.configure, write: p.write, read: p.read }),
      );
    }
  }

  addUser(name: string, password: string, tags: string[] = []): User {
    const user = { name, passwordHash: hashPassword(password), tags };
    this.putUser(user);
    return user;
  }

  /** Adds or replaces a user with an already hashed password (definitions import). */
  putUser(user: User): void {
    this.users.set(user.name, user);
    this.store.saveUser(user);
  }

  deleteUser(name: string): boolean {
    if (!this.users.delete(name)) return false;
    this.version++;
    for (const byUser of this.#permissions.values()) byUser.delete(name);
    this.store.deleteUser(name);
    return true;
  }

  changePassword(name: string, password: string): boolean {
    const user = this.users.get(name);
    if (!user) return false;
    user.passwordHash = hashPassword(password);
    this.store.saveUser(user);
    return true;
  }

  setTags(name: string, tags: string[]): boolean {
    const user = this.users.get(name);
    if (!user) return false;
    user.tags = tags;
    this.store.saveUser(user);
    return true;
  }

  /** Throws SyntaxError for a pattern that is not a valid regular expression. */
  setPermission(vhost: string, user: string, permission: Permission): void {
    this.#permissionsOf(vhost).set(user, new CompiledPermission(permission));
    this.version++;
    this.store.savePermission({ vhost, user, ...permission });
  }

  clearPermission(vhost: string, user: string): boolean {
    const removed = this.#permissions.get(vhost)?.delete(user) ?? false;
    this.version++;
    if (removed) this.store.deletePermission(vhost, user);
    return removed;
  }

  /** Forgets every permission on a deleted vhost. */
  dropVHost(vhost: string): void {
    this.#permissions.delete(vhost);
    this.version++;
  }

  permission(vhost: string, user: string): Permission | undefined {
    return this.#permissions.get(vhost)?.get(user)?.permission;
  }

  /** Every (vhost, user, permission), for listings and definitions. */
  *allPermissions(): IterableIterator<{ vhost: string; user: string } & Permission> {
    for (const [vhost, byUser] of this.#permissions) {
      for (const [user, p] of byUser) yield { vhost, user, ...p.permission };
    }
  }

  #permissionsOf(vhost: string): Map<string, CompiledPermission> {
    let byUser = this.#permissions.get(vhost);
    if (!byUser) {
      byUser = new Map();
      this.#permissions.set(vhost, byUser);
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
    return this.#permissions.get(vhost)?.has(user) ?? false;
  }

  /** 403 ACCESS_REFUSED unless `user` holds `kind` permission on the resource, in RabbitMQ's words. */
  checkAccess(user: string, vhost: string, kind: AccessKind, resource: ResourceKind, name: string): void {
    const p = this.#permissions.get(vhost)?.get(user);
    // The default exchange is named amq.default for permission purposes.
    const subject = resource === "exchange" && name === "" ? "amq.default" : name;
    if (p?.allows(kind, subject)) return;
    throw accessRefused(`access to ${resource} '${subject}' in vhost '${vhost}' refused for user '${user}'`);
  }
}
