// A test with an in-process node (broker plus management API, accepting the
// ctl secret of a temp data dir) and `ctl(...args)`, which runs `warren ctl`
// in-process against it and collects its exit code and output lines.
import { startTestNode, type TestNode } from "./broker.ts";
import { ensureCtlSecret } from "../../src/admin/ctl_secret.ts";
import { runCtl } from "../../src/cli/ctl.ts";

const TEST_TIMEOUT_MS = 20_000;

export interface CtlRun {
  code: number;
  out: string[];
  err: string[];
}

export interface CtlFixture {
  node: TestNode;
  dataDir: string;
  ctl(...args: string[]): Promise<CtlRun>;
}

export function ctlTest(name: string, fn: (f: CtlFixture) => Promise<void>): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const dataDir = await Deno.makeTempDir({ prefix: "warren-ctl-" });
      const node = await startTestNode({ ctlSecret: ensureCtlSecret(dataDir) });
      const ctl = async (...args: string[]): Promise<CtlRun> => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCtl(
          ["--data-dir", dataDir, "-n", `127.0.0.1:${node.managementPort}`, ...args],
          {
            io: { out: (l) => out.push(...l.split("\n")), err: (l) => err.push(l) },
            env: {},
            readStdin: () => Promise.resolve(""),
          },
        );
        return { code, out, err };
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          fn({ node, dataDir, ctl }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${TEST_TIMEOUT_MS}ms`)),
              TEST_TIMEOUT_MS,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await node.close();
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  });
}

/** The run, after checking it exited 0 (its stderr is the failure message otherwise). */
export function ok(r: CtlRun): CtlRun {
  if (r.code !== 0) throw new Error(`ctl exited ${r.code}: ${r.err.join("\n")}`);
  return r;
}
