// The AMQP listener: accepts sockets and runs one Connection per client,
// each in its own async loop whose failure ends only that connection.
import type { Broker } from "../broker/broker.ts";
import type { UserRegistry } from "../auth/users.ts";
import { bootNode, type NodeDefaults } from "./boot.ts";
import { logger, type LogLevel, setLogLevel } from "../log.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { Store } from "../store/store.ts";
import { Connection, type ConnectionContext } from "./connection.ts";
import { CONSUMER_TIMEOUT_CHECK_MS, DEFAULT_LIMITS, type ServerLimits } from "./limits.ts";
import { type AlarmKind, type AlarmLimits, ResourceAlarms } from "./alarms.ts";
import { listenTls, type TlsListener, type TlsListenOptions } from "./tls_listener.ts";
import type { Transport } from "./transport.ts";
import { acceptUntilClosed } from "./accept_loop.ts";
import { memoryPipe } from "./memory_pipe.ts";
import { SHOVEL_COMPONENT, ShovelSupervisor } from "../shovel/shovel_supervisor.ts";
import { FederationSupervisor } from "../federation/federation_supervisor.ts";

function hostnameOrLocalhost(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

const log = logger("server");

/** What tcp_listen_options sets on every accepted socket. */
export interface SocketOptions {
  noDelay: boolean;
  keepAlive: boolean;
}

export interface ServerOptions {
  port: number;
  hostname?: string;
  /** More plain AMQP listeners (rabbitmq.conf's listeners.tcp.<name>). */
  extraListeners?: { hostname: string; port: number }[];
  /** Defaults to nodelay on, keepalive off, as RabbitMQ's tcp_listen_options. */
  socket?: SocketOptions;
  /** cluster_name, announced in connection.start's server properties. */
  clusterName?: string;
  logLevel?: LogLevel;
  limits?: Partial<ServerLimits>;
  /** Where durable state lives; in memory when omitted. */
  store?: Store;
  defaults?: NodeDefaults;
  /** An amqps listener beside the plain one. */
  tls?: TlsListenOptions;
  /** Memory and disk limits; no alarms when omitted. */
  alarms?: AlarmLimits;
  /** The node's name as shovel status reports it; warren@<hostname> by default. */
  nodeName?: string;
}

/** An extra listener's port is taken; `index` is its place in ServerOptions.extraListeners. */
export class ExtraListenerInUse extends Error {
  constructor(readonly index: number) {
    super(`extra listener ${index} address in use`);
  }
}

export interface Server {
  readonly port: number;
  readonly hostname: string;
  /** The extra listeners' bound addresses, in ServerOptions.extraListeners order. */
  readonly extraListeners: readonly { hostname: string; port: number }[];
  readonly broker: Broker;
  readonly users: UserRegistry;
  readonly connections: ReadonlySet<Connection>;
  /** The amqps port, when TLS is configured. */
  readonly tlsPort: number | null;
  readonly alarms: ResourceAlarms | null;
  /** The node's dynamic shovels (runtime parameters of component "shovel"). */
  readonly shovels: ShovelSupervisor;
  /** The node's federation links (upstreams are runtime parameters, links follow policies). */
  readonly federation: FederationSupervisor;
  /** A transport to this node's AMQP side with no socket: Warren's own clients (shovels to `amqp://`). */
  openLocal(): Transport;
  close(): Promise<void>;
}

/** How long shutdown waits for clients to answer connection.close before cutting them off. */
const SHUTDOWN_GRACE_MS = 2_000;

export async function startServer(options: ServerOptions): Promise<Server> {
  if (options.logLevel) setLogLevel(options.logLevel);
  const hostname = options.hostname ?? "0.0.0.0";
  const store = options.store ?? new MemoryStore();
  const { broker, users } = bootNode(store, options.defaults);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const listeners = listenTcp(options, hostname);
  const port = (listeners[0].addr as Deno.NetAddr).port;
  const socketOptions = options.socket ?? { noDelay: true, keepAlive: false };
  const connections = new Set<Connection>();
  const running = new Set<Promise<void>>();
  const ctx = connectionContext(broker, users, limits, options.clusterName ?? "warren", connections);
  let closing = false;

  const serve = (transport: Transport, internal = false) => {
    const conn = new Connection(transport, ctx, internal);
    connections.add(conn);
    const p = conn.run().catch((e) => log.error("connection loop failed", { error: String(e) }));
    running.add(p);
    p.finally(() => running.delete(p));
  };

  const acceptLoop = acceptAmqp(listeners, socketOptions, serve);
  const bound = listeners.map((l) => l.addr as Deno.NetAddr);

  const alarms = options.alarms ? startAlarms(options.alarms, connections) : null;
  ctx.onOpened = (c) => {
    broker.counters.connectionsOpened++;
    if (alarms && alarms.active.size > 0) c.setAlarm(alarmReason(alarms.active));
  };

  const timeoutCheck = checkConsumerTimeouts(connections, limits.consumerTimeoutMs);

  let tlsListener: TlsListener | null = null;
  if (options.tls) {
    try {
      tlsListener = await listenTls(
        options.tls,
        serve,
        (peer, reason) => log.warning("TLS connection refused", { peer, reason }),
      );
    } catch (e) {
      clearInterval(timeoutCheck);
      alarms?.stop();
      for (const l of listeners) l.close();
      await acceptLoop;
      throw e;
    }
    log.info("listener up", { protocol: "amqps", hostname: options.tls.hostname, port: tlsListener.port });
  }

  const openLocal = (): Transport => {
    if (closing) throw new Deno.errors.ConnectionRefused("the node is shutting down");
    const [client, server] = memoryPipe();
    serve(server, true);
    return client;
  };
  const { shovels, federation } = startLinks(broker, users, openLocal, ctx.clusterName, options.nodeName);

  return {
    port,
    shovels,
    federation,
    openLocal,
    tlsPort: tlsListener?.port ?? null,
    alarms,
    hostname,
    extraListeners: bound.slice(1).map((a) => ({ hostname: a.hostname, port: a.port })),
    broker,
    users,
    connections,
    async close() {
      if (closing) return;
      closing = true;
      await Promise.all([shovels.close(), federation.close()]);
      alarms?.stop();
      clearInterval(timeoutCheck);
      await closeListeners(listeners, acceptLoop, tlsListener);
      await closeConnections(connections, running);
      await broker.store.settled();
      broker.close();
      broker.store.close();
      log.info("server stopped", { port });
    },
  };
}

/**
 * The shovel and federation supervisors, over in-process connections to this
 * node; the runtime parameters found in the store start them now that the
 * node accepts connections.
 */
function startLinks(
  broker: Broker,
  users: UserRegistry,
  connectLocal: () => Transport,
  clusterName: string,
  nodeName = `warren@${hostnameOrLocalhost()}`,
): { shovels: ShovelSupervisor; federation: FederationSupervisor } {
  const shovels = new ShovelSupervisor({
    parameters: broker.parameters,
    connectLocal,
    nodeName,
    mayConnect: (user, v) => broker.vhost(v) !== undefined && users.canAccessVHost(user, v),
  });
  broker.parameters.registerComponent(SHOVEL_COMPONENT, shovels);
  const federation = new FederationSupervisor({ broker, connectLocal, nodeName, clusterName });
  broker.parameters.start();
  return { shovels, federation };
}

/** What every connection sees of the node; closed connections leave `connections`. */
function connectionContext(
  broker: Broker,
  users: UserRegistry,
  limits: ServerLimits,
  clusterName: string,
  connections: Set<Connection>,
): ConnectionContext {
  return {
    limits,
    users,
    counters: broker.counters,
    vhostNamed: (name) => broker.vhost(name),
    clusterName,
    onClosed: (c) => {
      connections.delete(c);
      // As in RabbitMQ, every socket counts as closed, though only those that reached open-ok counted as opened.
      broker.counters.connectionsClosed++;
    },
  };
}

/** The main AMQP listener and the extra ones; none stays open if one cannot bind. */
function listenTcp(options: ServerOptions, hostname: string): Deno.TcpListener[] {
  const listeners = [Deno.listen({ port: options.port, hostname, transport: "tcp" })];
  for (const [index, extra] of (options.extraListeners ?? []).entries()) {
    try {
      listeners.push(Deno.listen({ port: extra.port, hostname: extra.hostname, transport: "tcp" }));
    } catch (e) {
      for (const l of listeners) l.close();
      if (e instanceof Deno.errors.AddrInUse) throw new ExtraListenerInUse(index);
      throw e;
    }
  }
  return listeners;
}

/** Accepts on every plain listener until it closes, with tcp_listen_options applied to each socket. */
function acceptAmqp(
  listeners: Deno.TcpListener[],
  socketOptions: SocketOptions,
  serve: (transport: Transport) => void,
): Promise<void[]> {
  for (const l of listeners) {
    const addr = l.addr as Deno.NetAddr;
    log.info("listener up", { protocol: "amqp", hostname: addr.hostname, port: addr.port });
  }
  return Promise.all(listeners.map((listener) =>
    acceptUntilClosed(listener, "amqp", (socket) => {
      try {
        socket.setNoDelay(socketOptions.noDelay);
        socket.setKeepAlive(socketOptions.keepAlive);
      } catch { /* not a TCP socket */ }
      serve(socket);
    })
  ));
}

/** consumer_timeout: the oldest unacked delivery of each channel is checked periodically. */
function checkConsumerTimeouts(
  connections: ReadonlySet<Connection>,
  consumerTimeoutMs: number,
): ReturnType<typeof setInterval> {
  return setInterval(() => {
    const now = Date.now();
    for (const c of connections) for (const ch of c.channels.values()) ch.checkConsumerTimeout(now);
  }, Math.min(CONSUMER_TIMEOUT_CHECK_MS, consumerTimeoutMs));
}

/** connection.blocked's reason, or null when no alarm is in force. */
function alarmReason(active: ReadonlySet<AlarmKind>): string | null {
  return active.size === 0 ? null : active.has("memory") ? "low on memory" : "low on disk";
}

/** Memory and disk alarms, blocking or releasing every connection as they change. */
function startAlarms(limits: AlarmLimits, connections: ReadonlySet<Connection>): ResourceAlarms {
  const alarms = new ResourceAlarms(limits, () => {
    let received = 0;
    for (const c of connections) received += c.recvOct;
    return received;
  });
  alarms.onChange((active) => {
    for (const c of connections) c.setAlarm(alarmReason(active));
  });
  alarms.start();
  return alarms;
}

/** Shutdown: no new sockets on any listener, and every accept loop ended. */
async function closeListeners(
  listeners: Deno.TcpListener[],
  acceptLoop: Promise<void[]>,
  tlsListener: TlsListener | null,
): Promise<void> {
  for (const l of listeners) {
    try {
      l.close();
    } catch { /* already closed */ }
  }
  await acceptLoop;
  await tlsListener?.close();
}

/** Shutdown: connection.close 320 to everyone, and sockets still open after a grace period are cut. */
async function closeConnections(
  connections: ReadonlySet<Connection>,
  running: Set<Promise<void>>,
): Promise<void> {
  for (const c of connections) c.forceClose("broker forced connection closure with reason 'shutdown'");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      for (const c of connections) c.socket.close();
      resolve();
    }, SHUTDOWN_GRACE_MS);
  });
  await Promise.race([Promise.all([...running]), grace]);
  clearTimeout(timer);
  await Promise.all([...running]);
}
