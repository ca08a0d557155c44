// Debian's Chromium driven by playwright-core for the web UI tests: one
// fresh profile per test, the flags this closed network needs, and the
// login every UI test starts with. playwright-core only drives the browser;
// it never downloads one.
import { type BrowserContext, chromium, type Page } from "npm:playwright-core@1.65.1";

export type { BrowserContext, Page };

export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const STEP_TIMEOUT_MS = 15_000;

export interface UiSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors thrown by the page's script. */
  pageErrors: string[];
}

/** Opens the UI at `base` in a new browser, at its login form (dialogs are accepted). */
export async function openLogin(profileDir: string, base: string): Promise<UiSession> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("dialog", (d) => d.accept());
  await page.goto(base);
  return { context, page, pageErrors };
}

/** Opens the UI at `base` in a new browser and logs in. */
export async function openUi(
  profileDir: string,
  base: string,
  user = "guest",
  pass = "guest",
): Promise<UiSession> {
  const session = await openLogin(profileDir, base);
  const { page } = session;
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", pass);
  await page.click("form.login button[type=submit]");
  await page.waitForSelector("nav.tabs");
  return session;
}

export async function openTab(page: Page, tab: string): Promise<void> {
  await page.click(`nav.tabs a[data-tab=${tab}]`);
  await page.waitForSelector(`nav.tabs a.active[data-tab=${tab}]`);
}

export interface UiDirs {
  tmp: string;
  dataDir: string;
  profileDir: string;
  shotsDir: string;
}

/** Checks Chromium is installed and makes the temp dirs a UI test uses (kept: screenshots live there). */
export async function uiTestDirs(prefix: string): Promise<UiDirs> {
  const stat = await Deno.stat(CHROMIUM).catch(() => null);
  if (!stat) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does this)`);
  }
  const tmp = await Deno.makeTempDir({ prefix });
  const dirs = {
    tmp,
    dataDir: `${tmp}/data`,
    profileDir: `${tmp}/chromium-profile`,
    shotsDir: `${tmp}/screenshots`,
  };
  await Deno.mkdir(dirs.shotsDir, { recursive: true });
  return dirs;
}
