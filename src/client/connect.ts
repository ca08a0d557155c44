// Opening a client connection to an AMQP URI: TCP or TLS to a host, or an
// in-process pipe to this node for a URI with no host, then the handshake,
// both bounded in time and abortable (a shovel or federation link that
// stops must not wait for a connect in progress).
import { ClientConnection, type ClientTransport } from "./amqp_client.ts";
import { type AmqpEndpoint, parseAmqpUri } from "./amqp_uri.ts";

const HANDSHAKE_TIMEOUT_MS = 15_000;

export interface ConnectOptions {
  /** A transport to this node (a URI with no host). */
  connectLocal(): ClientTransport;
  connectionName: string;
  signal: AbortSignal;
}

/** Connects to one of `uris`, picked at random as RabbitMQ does; returns the connection and the URI used. */
export async function connectToUri(
  uris: string[],
  options: ConnectOptions,
): Promise<[ClientConnection, string]> {
  const uri = uris[Math.floor(Math.random() * uris.length)];
  const endpoint = parseAmqpUri(uri);
  const transport = await transportTo(endpoint, options);
  const conn = await ClientConnection.open(transport, {
    username: endpoint.username,
    password: endpoint.password,
    vhost: endpoint.vhost,
    heartbeatS: endpoint.heartbeatS,
    frameMaxBytes: endpoint.frameMaxBytes,
    channelMax: endpoint.channelMax,
    handshakeTimeoutMs: Math.min(endpoint.connectionTimeoutMs, HANDSHAKE_TIMEOUT_MS),
    connectionName: options.connectionName,
  });
  return [conn, uri];
}

async function transportTo(e: AmqpEndpoint, options: ConnectOptions): Promise<ClientTransport> {
  if (e.host === null) return options.connectLocal();
  const signal = AbortSignal.any([
    AbortSignal.timeout(Math.min(e.connectionTimeoutMs, HANDSHAKE_TIMEOUT_MS)),
    options.signal,
  ]);
  if (e.tls) {
    return await Deno.connectTls({ hostname: e.host, port: e.port, signal } as Deno.ConnectTlsOptions);
  }
  const conn = await Deno.connect({ hostname: e.host, port: e.port, signal } as Deno.ConnectOptions);
  conn.setNoDelay(true);
  return conn;
}
