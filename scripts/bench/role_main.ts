// Entry point of one load-generator role, as a Web Worker or as a Deno
// subprocess. In a worker, commands and reports are worker messages; in a
// subprocess, they are JSON lines on stdin and stdout (logs go to stderr).
import { type HostCommand, type RoleControl, type RoleReport, runRole } from "./roles.ts";

function workerControl(): RoleControl {
  // deno-lint-ignore no-explicit-any
  const scope = self as any;
  return {
    post: (msg: RoleReport) => scope.postMessage(msg),
    onMessage: (handler) => {
      scope.onmessage = (e: MessageEvent<HostCommand>) => handler(e.data);
    },
  };
}

function processControl(): RoleControl {
  const encoder = new TextEncoder();
  return {
    post: (msg: RoleReport) => {
      const bytes = encoder.encode(JSON.stringify(msg) + "\n");
      let off = 0;
      while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    },
    onMessage: (handler) => {
      (async () => {
        const decoder = new TextDecoder();
        let pending = "";
        for await (const chunk of Deno.stdin.readable) {
          pending += decoder.decode(chunk, { stream: true });
          let nl;
          while ((nl = pending.indexOf("\n")) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (line.trim()) handler(JSON.parse(line) as HostCommand);
          }
        }
        // the host went away: nothing left to do for
        Deno.exit(0);
      })();
    },
  };
}

// deno-lint-ignore no-explicit-any
const inWorker = typeof (globalThis as any).WorkerGlobalScope !== "undefined" &&
  // deno-lint-ignore no-explicit-any
  self instanceof (globalThis as any).WorkerGlobalScope;

if (inWorker) {
  await runRole(workerControl());
  self.close();
} else {
  // Stay alive after reporting until the host closes stdin, so it can still read
  // this process's CPU time; the stdin reader exits then.
  await runRole(processControl());
}
