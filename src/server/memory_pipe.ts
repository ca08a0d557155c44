// A pair of connected in-process transports: what one end writes, the other
// reads. Warren's own AMQP clients (shovels to `amqp://`, this node) talk to
// the server through it, with no socket, port or credentials involved.
// Writes are copied (writers reuse their buffers) and wait while the reader
// is more than a bound behind, like a socket's send buffer.
import type { Transport } from "./transport.ts";

const PIPE_BUFFER_BYTES = 1024 * 1024;

const LOCAL_ADDR: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 0 };

class PipeEnd implements Transport {
  readonly remoteAddr: Deno.Addr = LOCAL_ADDR;
  peer!: PipeEnd;
  readonly #chunks: Uint8Array[] = [];
  #head = 0;
  #queuedBytes = 0;
  #closed = false;
  #readerWaiting: (() => void) | null = null;
  #writersWaiting: (() => void)[] = [];

  read(p: Uint8Array): Promise<number | null> {
    if (this.#chunks.length > 0) return Promise.resolve(this.#take(p));
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#readerWaiting = () => resolve(this.#chunks.length > 0 ? this.#take(p) : null);
    });
  }

  #take(p: Uint8Array): number {
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const k = Math.min(p.length - n, chunk.length - this.#head);
      p.set(chunk.subarray(this.#head, this.#head + k), n);
      n += k;
      this.#head += k;
      if (this.#head === chunk.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
    }
    this.#queuedBytes -= n;
    if (this.#queuedBytes < PIPE_BUFFER_BYTES) {
      for (const w of this.#writersWaiting.splice(0)) w();
    }
    return n;
  }

  /** Called by the peer's write. */
  deliver(bytes: Uint8Array): Promise<void> | null {
    if (this.#closed) throw new Deno.errors.BrokenPipe("in-process pipe closed");
    this.#chunks.push(bytes.slice());
    this.#queuedBytes += bytes.length;
    const reader = this.#readerWaiting;
    this.#readerWaiting = null;
    reader?.();
    if (this.#queuedBytes < PIPE_BUFFER_BYTES) return null;
    return new Promise((resolve) => this.#writersWaiting.push(resolve));
  }

  async write(p: Uint8Array): Promise<number> {
    if (this.#closed) throw new Deno.errors.BrokenPipe("in-process pipe closed");
    const wait = this.peer.deliver(p);
    if (wait) await wait;
    return p.length;
  }

  close(): void {
    this.#end();
    this.peer.#end();
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    const reader = this.#readerWaiting;
    this.#readerWaiting = null;
    reader?.();
    for (const w of this.#writersWaiting.splice(0)) w();
  }
}

/** Two transports wired to each other. */
export function memoryPipe(): [Transport, Transport] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
