// The amqps listener, on node:tls so client certificates can be requested
// and verified as RabbitMQ's ssl_options.verify / fail_if_no_peer_cert do.
// Sockets are accepted by Deno.listen, in the accept loop that survives
// running out of file descriptors (node:net's listener silently stops
// accepting then), and wrapped in server-side TLS sockets as streams. Each TLS socket
// is adapted to the Transport a Connection reads and writes.
import { createSecureContext, TLSSocket } from "node:tls";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import { X509Certificate } from "node:crypto";
import type { Transport } from "./transport.ts";
import { acceptUntilClosed } from "./accept_loop.ts";

export interface TlsListenOptions {
  port: number;
  hostname: string;
  cert: string;
  key: string;
  ca?: string;
  verifyPeer: boolean;
  failIfNoPeerCert: boolean;
}

/** Incoming bytes buffered past this pause the socket until the connection reads. */
const PAUSE_AT_BYTES = 1024 * 1024;
/** Bytes asked of the TCP socket per read. */
const READ_CHUNK_BYTES = 64 * 1024;

/** A TCP connection as the node stream the TLS server reads ciphertext from and writes it to. */
class ConnStream extends Duplex {
  constructor(readonly conn: Deno.TcpConn) {
    super();
  }

  override _read(): void {
    const chunk = new Uint8Array(READ_CHUNK_BYTES);
    this.conn.read(chunk).then(
      (n) => this.push(n === null ? null : Buffer.from(chunk.buffer, 0, n)),
      (e) => this.destroy(e),
    );
  }

  override _write(chunk: Uint8Array, _encoding: string, done: (e?: Error | null) => void): void {
    this.#writeAll(chunk).then(() => done(), done);
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    try {
      this.conn.close();
    } catch { /* already closed */ }
    done(e);
  }
}

class TlsTransport implements Transport {
  readonly remoteAddr: Deno.NetAddr;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #waiter: (() => void) | null = null;

  constructor(readonly socket: TLSSocket, remoteAddr: Deno.NetAddr) {
    this.remoteAddr = remoteAddr;
    socket.on("data", (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered > PAUSE_AT_BYTES) socket.pause();
      this.#wake();
    });
    const end = () => {
      this.#ended = true;
      this.#wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const head = this.#chunks[0];
      const take = Math.min(head.length, p.length - n);
      p.set(head.subarray(0, take), n);
      n += take;
      if (take === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(take);
    }
    this.#buffered -= n;
    if (this.#buffered <= PAUSE_AT_BYTES && this.socket.isPaused()) this.socket.resume();
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socket.write(p, (err) => (err ? reject(err) : resolve(p.length)));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface TlsListener {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens for amqps; `onTransport` gets each socket that passed the handshake and the peer checks. */
export function listenTls(
  options: TlsListenOptions,
  onTransport: (t: Transport) => void,
  onRejected: (peer: string, reason: string) => void,
): Promise<TlsListener> {
  const trusted = parseCaBundle(options.ca ?? "");
  const secureContext = createSecureContext({ cert: options.cert, key: options.key, ca: options.ca });
  const handshake = (conn: Deno.TcpConn) => {
    conn.setNoDelay(true);
    const addr = conn.remoteAddr;
    const peer = `${addr.hostname}:${addr.port}`;
    const stream = new ConnStream(conn);
    const socket = new TLSSocket(stream, {
      isServer: true,
      secureContext,
      requestCert: options.verifyPeer,
      // Checked below, so a missing certificate can be allowed while a bad one is not.
      rejectUnauthorized: false,
    });
    // The TCP socket goes with the TLS socket, however that ends.
    socket.once("close", () => stream.destroy());
    const failed = (err: Error) => {
      onRejected(peer, `TLS handshake failed: ${err.message}`);
      socket.destroy();
    };
    socket.once("error", failed);
    // A client that hangs up mid-handshake gets no event from the TLS socket.
    const hungUp = () => failed(new Error("client closed the connection"));
    stream.once("end", hungUp);
    socket.once("secure", () => {
      socket.off("error", failed);
      stream.off("end", hungUp);
      if (options.verifyPeer) {
        const cert = socket.getPeerCertificate();
        const presented = cert !== null && Object.keys(cert).length > 0;
        if (presented && !socket.authorized && !issuedByTrustedCa(cert.raw, trusted)) {
          onRejected(peer, "client certificate rejected: not issued by a trusted CA, or expired");
          socket.destroy();
          return;
        }
        if (!presented && options.failIfNoPeerCert) {
          onRejected(peer, "no client certificate presented (fail_if_no_peer_cert)");
          socket.destroy();
          return;
        }
      }
      onTransport(new TlsTransport(socket, addr));
    });
  };
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ port: options.port, hostname: options.hostname, transport: "tcp" });
  } catch (e) {
    return Promise.reject(e);
  }
  const accepting = acceptUntilClosed(listener, "amqps", handshake);
  return Promise.resolve({
    port: listener.addr.port,
    close: async () => {
      try {
        listener.close();
      } catch { /* already closed */ }
      await accepting;
    },
  });
}

/** Every certificate in a PEM bundle. */
function parseCaBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/**
 * Deno's node:tls does not check client certificates against `ca` itself,
 * so the peer certificate is checked here: signed directly by one of the
 * trusted CAs and within its validity period.
 */
function issuedByTrustedCa(raw: Uint8Array | undefined, trusted: X509Certificate[]): boolean {
  if (!raw) return false;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(raw);
  } catch {
    return false;
  }
  const now = Date.now();
  if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) return false;
  return trusted.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}
