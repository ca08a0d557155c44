// Users and their vhost permissions. Authentication answers "who is this";
// the server asks canAccessVHost before connection.open-ok.
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

  addUser(name: string, password: string, tags: string[] = []): User {
    const user = { name, passwordHash: hashPassword(password), tags };
    this.users.set(name, user);
    return user;
  }

  setPermission(vhost: string, user: string, permission: Permission): void {
    let byUser = this.permissions.get(vhost);
    if (!byUser) {
      byUser = new Map();
      this.permissions.set(vhost, byUser);
    }
    byUser.set(user, permission);
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
