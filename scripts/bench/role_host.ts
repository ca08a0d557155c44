// Starts load-generator roles as Web Workers (threads of this process) or as
// Deno subprocesses, and gives the orchestrator one handle for both.
import type { HostCommand, RoleConfig, RoleReport } from "./roles.ts";

export type RoleMode = "worker" | "process";

const ROLE_ENTRY = new URL("./role_main.ts", import.meta.url);

/** Subprocess roles still running, so an interrupted run can end them. */
const liveChildren = new Set<Deno.ChildProcess>();

export function killAllRoles(): void {
  for (const child of liveChildren) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  liveChildren.clear();
}

export class RoleHandle {
  readonly mode: RoleMode;
  /** The process whose CPU time this role adds to (this process for workers). */
  pid = Deno.pid;
  onProgress: ((counts: number[]) => void) | null = null;
  #send: (msg: HostCommand) => void;
  #close: () => Promise<void>;
  #queue: RoleReport[] = [];
  #waiting: ((msg: RoleReport) => void) | null = null;
  #failure: Error | null = null;

  private constructor(mode: RoleMode, send: (msg: HostCommand) => void, close: () => Promise<void>) {
    this.mode = mode;
    this.#send = send;
    this.#close = close;
  }

  static spawn(mode: RoleMode, config: RoleConfig): RoleHandle {
    let handle: RoleHandle;
    if (mode === "worker") {
      const worker = new Worker(ROLE_ENTRY, { type: "module" });
      handle = new RoleHandle(mode, (msg) => worker.postMessage(msg), () => {
        worker.terminate();
        return Promise.resolve();
      });
      worker.onmessage = (e: MessageEvent<RoleReport>) => handle.#receive(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        handle.#receive({ type: "error", message: `worker failed: ${e.message}` });
      };
    } else {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", ROLE_ENTRY.pathname],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      liveChildren.add(child);
      const writer = child.stdin.getWriter();
      const encoder = new TextEncoder();
      handle = new RoleHandle(mode, (msg) => {
        writer.write(encoder.encode(JSON.stringify(msg) + "\n")).catch(() => {});
      }, async () => {
        try {
          await writer.close();
        } catch { /* already closed */ }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
        }, 5000);
        await child.status;
        clearTimeout(timer);
        liveChildren.delete(child);
      });
      handle.pid = child.pid;
      (async () => {
        const decoder = new TextDecoder();
        let pending = "";
        for await (const chunk of child.stdout) {
          pending += decoder.decode(chunk, { stream: true });
          let nl;
          while ((nl = pending.indexOf("\n")) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (line.trim()) handle.#receive(JSON.parse(line) as RoleReport);
          }
        }
        handle.#receive({ type: "error", message: "role process exited" });
      })();
    }
    handle.send({ type: "init", config });
    return handle;
  }

  send(msg: HostCommand): void {
    this.#send(msg);
  }

  #receive(msg: RoleReport): void {
    if (msg.type === "progress") {
      this.onProgress?.(msg.counts);
      return;
    }
    if (msg.type === "error" && !this.#failure) this.#failure = new Error(msg.message);
    const w = this.#waiting;
    if (w) {
      this.#waiting = null;
      w(msg);
    } else {
      this.#queue.push(msg);
    }
  }

  /** The next report of this type; an error report rejects. */
  async next<T extends RoleReport["type"]>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<RoleReport, { type: T }>> {
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const msg = this.#queue.shift() ?? await new Promise<RoleReport | null>((resolve) => {
        const timer = setTimeout(() => {
          this.#waiting = null;
          resolve(null);
        }, Math.max(0, deadline - performance.now()));
        this.#waiting = (m) => {
          clearTimeout(timer);
          resolve(m);
        };
      });
      if (msg === null) throw new Error(`role did not report '${type}' within ${timeoutMs} ms`);
      if (msg.type === "error") throw new Error(`role failed: ${msg.message}`);
      if (msg.type === type) return msg as Extract<RoleReport, { type: T }>;
    }
  }

  close(): Promise<void> {
    return this.#close();
  }
}
