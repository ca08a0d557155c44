// AMQP URIs as RabbitMQ's Erlang client reads them (amqp_uri): scheme amqp
// or amqps, optional user:password@host:port, the vhost as the one path
// segment (absent means "/", "/" alone means ""), and query parameters for
// heartbeat, connection_timeout, channel_max and frame_max. A URI with no
// host ("amqp://") means this node, as RabbitMQ's direct connection does.

export interface AmqpEndpoint {
  /** null: this node, reached in-process. */
  host: string | null;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  vhost: string;
  heartbeatS: number | null;
  connectionTimeoutMs: number;
  channelMax: number;
  frameMaxBytes: number;
}

export class UriError extends Error {}

/** amqp_uri's defaults (10 s heartbeat is RabbitMQ's shovel default through the Erlang client). */
const DEFAULT_CONNECTION_TIMEOUT_MS = 60_000;
const DEFAULT_FRAME_MAX_BYTES = 131_072;
const DEFAULT_CHANNEL_MAX = 2047;

const INTEGER_QUERY_KEYS = ["heartbeat", "connection_timeout", "channel_max", "frame_max"];

/** RabbitMQ's text: `"<uri>" not a valid URI: {<reason>,"<uri>"}`. */
function invalid(uri: string, reason: string): UriError {
  return new UriError(`${JSON.stringify(uri)} not a valid URI: {${reason},${JSON.stringify(uri)}}`);
}

export function parseAmqpUri(uri: string): AmqpEndpoint {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri)) throw invalid(uri, "{unable_to_parse_uri,no_scheme}");
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/.exec(uri);
  if (!m) throw invalid(uri, `{unable_to_parse_uri,{malformed_uri,${JSON.stringify(uri)}}}`);
  const scheme = m[1].toLowerCase();
  if (scheme !== "amqp" && scheme !== "amqps") throw invalid(uri, `{unexpected_uri_scheme,"${m[1]}"}`);
  const tls = scheme === "amqps";
  let authority = m[2];
  let username = "guest";
  let password = "guest";
  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(":");
    username = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, uri);
    password = colon >= 0 ? decode(userinfo.slice(colon + 1), uri) : "";
  }
  let host: string | null = null;
  let port = tls ? 5671 : 5672;
  if (authority !== "") {
    const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(authority);
    if (!hp) throw invalid(uri, `{unable_to_parse_uri,{malformed_uri,${JSON.stringify(uri)}}}`);
    host = hp[1].startsWith("[") ? hp[1].slice(1, -1) : decode(hp[1], uri);
    if (hp[2] !== undefined && hp[2] !== "") port = Number(hp[2]);
    if (host === "") host = null;
  }
  const path = m[3] ?? "";
  if (path.indexOf("/", 1) >= 0) {
    throw invalid(uri, `{invalid_vhost,${JSON.stringify(path.slice(1))}}`);
  }
  const vhost = path === "" ? "/" : decode(path.slice(1), uri);
  const query = new URLSearchParams((m[4] ?? "").slice(1));
  const int = (k: string) => {
    const v = query.get(k);
    if (v === null) return null;
    if (!/^\d+$/.test(v)) {
      throw invalid(uri, `{invalid_amqp_params_parameter,${k},${JSON.stringify(v)}}`);
    }
    return Number(v);
  };
  for (const k of INTEGER_QUERY_KEYS) int(k);
  return {
    host,
    port,
    tls,
    username,
    password,
    vhost,
    heartbeatS: int("heartbeat"),
    connectionTimeoutMs: int("connection_timeout") ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    channelMax: int("channel_max") ?? DEFAULT_CHANNEL_MAX,
    frameMaxBytes: int("frame_max") ?? DEFAULT_FRAME_MAX_BYTES,
  };
}

function decode(s: string, uri: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalid(uri, `{unable_to_parse_uri,{malformed_uri,${JSON.stringify(uri)}}}`);
  }
}

/**
 * The URI without credentials or query, as RabbitMQ's shovel status shows
 * it ("amqp://user:pw@h:5672/%2f?heartbeat=5" → "amqp://h:5672/%2f").
 */
export function maskUri(uri: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)/.exec(uri);
  if (!m) return uri;
  const authority = m[2].slice(m[2].lastIndexOf("@") + 1);
  return `${m[1]}${authority}${m[3]}`;
}
