// The frame every web UI test runs in: its temp dirs, a broker started from
// the real entry point, a bound on the whole scenario, and the teardown of
// whatever the scenario opened (clients, browsers, the broker, its data and
// the browser profile). The screenshots stay in the temp dir.
import {
  type BrowserContext,
  openLogin,
  openUi,
  type UiDirs,
  type UiSession,
  uiTestDirs,
} from "./browser.ts";
import { type BrokerProcess, spawnBroker } from "./broker_process.ts";

export interface UiTest {
  broker: BrokerProcess;
  /** The management API and UI: http://127.0.0.1:PORT/ */
  base: string;
  dirs: UiDirs;
  /** A browser at the UI, logged in; closed when the test ends. */
  openUi(user?: string, pass?: string): Promise<UiSession>;
  /** A browser at the login form; closed when the test ends. */
  openLogin(): Promise<UiSession>;
  /** Runs when the test ends, before the browsers and the broker go; the newest first. */
  onTeardown(fn: () => unknown): void;
}

export async function runUiTest(
  prefix: string,
  timeoutMs: number,
  scenario: (t: UiTest) => Promise<void>,
): Promise<void> {
  const dirs = await uiTestDirs(prefix);
  let broker: BrokerProcess | undefined;
  const contexts: BrowserContext[] = [];
  const teardown: (() => unknown)[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const track = (session: UiSession) => {
    contexts.push(session.context);
    return session;
  };
  const run = async () => {
    broker = await spawnBroker({ args: ["--data-dir", dirs.dataDir] });
    const base = `http://127.0.0.1:${broker.managementPort}/`;
    await scenario({
      broker,
      base,
      dirs,
      openUi: async (user, pass) => track(await openUi(dirs.profileDir, base, user, pass)),
      openLogin: async () => track(await openLogin(dirs.profileDir, base)),
      onTeardown: (fn) => teardown.push(fn),
    });
  };
  try {
    await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`web UI test took over ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    for (const fn of teardown.reverse()) await Promise.resolve().then(fn).catch(() => {});
    for (const context of contexts) await context.close().catch(() => {});
    if (broker) {
      broker.kill();
      await broker.exited;
    }
    await Deno.remove(dirs.dataDir, { recursive: true }).catch(() => {});
    await Deno.remove(dirs.profileDir, { recursive: true }).catch(() => {});
  }
}
