// How ctl talks to a running node: the management HTTP API on loopback,
// authenticated by the node's secret file. Failures become CtlErrors that
// carry rabbitmqctl's exit codes.

/** rabbitmqctl's exit codes (sysexits.h). */
export const EXIT = {
  ok: 0,
  usage: 64,
  dataErr: 65,
  noUser: 67,
  unavailable: 69,
  software: 70,
  tempFail: 75,
  config: 78,
} as const;

export class CtlError extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
    this.name = "CtlError";
  }
}

/** Nothing answered at the node's address (as opposed to a node that answered and refused). */
export class NodeUnreachable extends CtlError {}

export interface NodeTarget {
  host: string;
  port: number;
  /** The bearer secret; null when the secret file could not be read. */
  secret: string | null;
  /** Where the secret was looked for, for error messages. */
  secretPath: string;
  /** The data dir whose node ctl wants. */
  dataDir: string;
  /** The node record the address came from, or null when it came from flags or config. */
  recordPath: string | null;
  timeoutMs: number;
}

export interface ApiReply {
  status: number;
  body: unknown;
}

function describeTarget(t: NodeTarget): string {
  const host = t.host.includes(":") ? `[${t.host}]` : t.host;
  return `${host}:${t.port}`;
}

/** The reason text out of a management API error body. */
function reasonOf(body: unknown, status: number): string {
  if (body && typeof body === "object" && "reason" in body) {
    const r = (body as { reason: unknown }).reason;
    return typeof r === "string" ? r : JSON.stringify(r);
  }
  return `HTTP ${status}`;
}

export class NodeClient {
  constructor(readonly target: NodeTarget) {}

  get address(): string {
    return describeTarget(this.target);
  }

  /** One API call. Non-2xx replies are returned, not thrown; transport failures throw CtlError 69. */
  async call(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<ApiReply> {
    const headers: Record<string, string> = { accept: "application/json" };
    for (const [k, v] of Object.entries(extraHeaders)) headers[k] = v.replace(/[^\x20-\x7e]/g, "?");
    if (this.target.secret !== null) headers.authorization = `Bearer ${this.target.secret}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`http://${this.address}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.target.timeoutMs),
      });
    } catch (e) {
      throw this.#transportError(e);
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (res.status === 401) {
      throw new CtlError(
        EXIT.unavailable,
        this.target.secret === null
          ? `unable to authenticate to the node at ${this.address}: cannot read ${this.target.secretPath} ` +
            "(no node has run with this data dir, or ctl runs as another OS user than the node)"
          : `the node at ${this.address} does not own data dir ${this.target.dataDir} ` +
            `(it refused the secret in ${this.target.secretPath}); ` +
            "give ctl that node's --data-dir, or run the node with this one",
      );
    }
    return { status: res.status, body: parsed };
  }

  /** A call that must succeed (2xx); otherwise a CtlError with the API's reason and `exitFor(status)`. */
  async ok(
    method: string,
    path: string,
    body?: unknown,
    exitFor?: (status: number) => number,
  ): Promise<unknown> {
    const reply = await this.call(method, path, body);
    if (reply.status >= 200 && reply.status < 300) return reply.body;
    const code = exitFor ? exitFor(reply.status) : reply.status === 404 ? EXIT.dataErr : EXIT.software;
    throw new CtlError(code, reasonOf(reply.body, reply.status));
  }

  #transportError(e: unknown): CtlError {
    const err = e as Error & { cause?: unknown };
    const text = `${err?.message ?? e} ${String(err?.cause ?? "")}`;
    if (err?.name === "TimeoutError") {
      return new CtlError(EXIT.tempFail, `timed out waiting for a reply from the node at ${this.address}`);
    }
    if (/refused|unreachable|reset|Connect/i.test(text)) {
      return new NodeUnreachable(
        EXIT.unavailable,
        this.target.recordPath !== null
          ? `unable to connect to node at ${this.address} (recorded in ${this.target.recordPath}): ` +
            "connection refused. Is the node running?"
          : `unable to connect to node at ${this.address}: connection refused. Is the node running? ` +
            "(ctl finds a node from its --data-dir; or point ctl at it with -n host:port or --management-port)",
      );
    }
    return new NodeUnreachable(
      EXIT.unavailable,
      `unable to reach the node at ${this.address}: ${err?.message ?? e}`,
    );
  }
}

/** Path segment encoding for names (a vhost "/" becomes %2F). */
export function seg(name: string): string {
  return encodeURIComponent(name);
}
