// Runtime parameters, as RabbitMQ's rabbit_runtime_parameters: named JSON
// values per (component, vhost), each component validating its own and
// reacting when one is set or cleared (a shovel starts or stops), plus
// node-wide global parameters that anything may set. The components are
// registered by the layers that implement them (shovels, federation), so
// the model knows only their interface.
import { present } from "../assert.ts";
import type { GlobalParameterRecord, ParameterRecord, Store, StoreSnapshot } from "../store/store.ts";

/** Thrown with the list of reasons RabbitMQ would give; the admin layer words the 400. */
export class ParameterValidationError extends Error {
  constructor(readonly reasons: string[]) {
    super(`Validation failed\n\n${reasons.join("\n")}\n`);
  }
}

export interface ParameterComponent {
  /**
   * The reasons `value` is refused, in RabbitMQ's words; empty when it is
   * fine. `user` sets it (null: the node itself, importing definitions).
   */
  validate(vhost: string, name: string, value: unknown, user: string | null): string[];
  /** A parameter was set (new or changed), or found at start-up. */
  onSet(vhost: string, name: string, value: unknown): void;
  onClear(vhost: string, name: string): void;
}

export interface Parameter {
  component: string;
  vhost: string;
  name: string;
  value: unknown;
}

function key(component: string, vhost: string, name: string): string {
  return `${component}\u0000${vhost}\u0000${name}`;
}

export class RuntimeParameters {
  readonly #components = new Map<string, ParameterComponent>();
  readonly #values = new Map<string, Parameter>();
  readonly #global = new Map<string, unknown>();
  /** Parameters loaded before their component registered: handed over when it does. */
  #started = false;

  constructor(readonly store: Store) {}

  restore(snapshot: StoreSnapshot): void {
    for (const p of snapshot.parameters) this.#values.set(key(p.component, p.vhost, p.name), { ...p });
    for (const g of snapshot.globalParameters) this.#global.set(g.name, g.value);
  }

  /**
   * Adds a component; parameters of it already loaded are handed to it once
   * start() has run (so a shovel found at boot starts with the node).
   */
  registerComponent(name: string, component: ParameterComponent): void {
    this.#components.set(name, component);
    if (this.#started) this.#announce(name, component);
  }

  /** The node is serving: components get the parameters they own. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const [name, c] of this.#components) this.#announce(name, c);
  }

  #announce(componentName: string, component: ParameterComponent): void {
    for (const p of this.#values.values()) {
      if (p.component === componentName) component.onSet(p.vhost, p.name, p.value);
    }
  }

  hasComponent(name: string): boolean {
    return this.#components.has(name);
  }

  /** Checks without storing: for definitions, which validate everything before applying anything. */
  validate(component: string, vhost: string, name: string, value: unknown, user: string | null = null): void {
    const c = this.#components.get(component);
    if (!c) throw new ParameterValidationError([`component ${component} not found`]);
    const reasons = c.validate(vhost, name, value, user);
    if (reasons.length > 0) throw new ParameterValidationError(reasons);
  }

  /** Validates and stores; returns false when the parameter already existed (an update). */
  set(component: string, vhost: string, name: string, value: unknown, user: string | null = null): boolean {
    this.validate(component, vhost, name, value, user);
    const k = key(component, vhost, name);
    const existed = this.#values.has(k);
    const record: ParameterRecord = { component, vhost, name, value };
    this.#values.set(k, record);
    this.store.saveParameter(record);
    if (this.#started) {
      present(this.#components.get(component), "validate() knew the component").onSet(vhost, name, value);
    }
    return !existed;
  }

  clear(component: string, vhost: string, name: string): boolean {
    const k = key(component, vhost, name);
    if (!this.#values.delete(k)) return false;
    this.store.deleteParameter(component, vhost, name);
    if (this.#started) this.#components.get(component)?.onClear(vhost, name);
    return true;
  }

  /** Drops every parameter of a deleted vhost. */
  clearVHost(vhost: string): void {
    for (const p of [...this.#values.values()]) {
      if (p.vhost === vhost) this.clear(p.component, p.vhost, p.name);
    }
  }

  get(component: string, vhost: string, name: string): Parameter | undefined {
    return this.#values.get(key(component, vhost, name));
  }

  list(filter: { component?: string; vhost?: string } = {}): Parameter[] {
    return [...this.#values.values()].filter((p) =>
      (filter.component === undefined || p.component === filter.component) &&
      (filter.vhost === undefined || p.vhost === filter.vhost)
    );
  }

  setGlobal(name: string, value: unknown): boolean {
    const existed = this.#global.has(name);
    this.#global.set(name, value);
    const record: GlobalParameterRecord = { name, value };
    this.store.saveGlobalParameter(record);
    return !existed;
  }

  clearGlobal(name: string): boolean {
    if (!this.#global.delete(name)) return false;
    this.store.deleteGlobalParameter(name);
    return true;
  }

  getGlobal(name: string): GlobalParameterRecord | undefined {
    return this.#global.has(name) ? { name, value: this.#global.get(name) } : undefined;
  }

  listGlobal(): GlobalParameterRecord[] {
    return [...this.#global].map(([name, value]) => ({ name, value }));
  }
}
