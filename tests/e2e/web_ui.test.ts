// The management web UI in headless Chromium against the real entry point:
// log in, create a vhost and a user through the forms, and watch a queue's
// Ready count climb on the Queues page (live refresh, no reload) while an
// amqplib client publishes. Screenshots are kept in the test's temp dir and
// their paths printed.
//
// Needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it);
// playwright-core only drives it, it never downloads a browser.
import {
  type BrowserContext,
  openTab,
  openUi,
  type Page,
  STEP_TIMEOUT_MS,
  uiTestDirs,
} from "../helpers/browser.ts";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";

const TEST_TIMEOUT_MS = 90_000;
const PUBLISH_INTERVAL_MS = 150;

/** The number shown in the Ready column of one queue's row. */
async function readyCount(page: Page, queue: string): Promise<number> {
  const text = await readyCell(page, queue).textContent({ timeout: STEP_TIMEOUT_MS });
  return Number((text ?? "").replace(/,/g, ""));
}

function readyCell(page: Page, queue: string) {
  return page.locator("table.list tbody tr", {
    has: page.locator("a.queue-link", { hasText: new RegExp(`^${queue}$`) }),
  }).locator("td.ready");
}

/** Waits until the Ready cell of `queue` shows more than `than`, without touching the page. */
async function readyAbove(page: Page, queue: string, than: number): Promise<number> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const n = await readyCount(page, queue);
    if (n > than) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Ready count of ${queue} stayed at or below ${than} for ${STEP_TIMEOUT_MS} ms`);
}

Deno.test({
  name: "web UI: log in, add a vhost and a user, and see Ready grow live while a client publishes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { dataDir, profileDir, shotsDir } = await uiTestDirs("warren-web-ui-");

    let broker: BrokerProcess | undefined;
    let context: BrowserContext | undefined;
    let conn: Awaited<ReturnType<typeof amqp.connect>> | undefined;
    let publishing = false;
    let publisher: Promise<void> = Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;

    const scenario = async () => {
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const base = `http://127.0.0.1:${broker.managementPort}/`;

      const ui = await openUi(profileDir, base);
      context = ui.context;
      const { page, pageErrors } = ui;
      await page.waitForFunction(`document.querySelector(".stat .value")?.textContent !== "-"`);

      // A virtual host, through the form.
      await openTab(page, "vhosts");
      await page.fill("form input[name=name]", "ui-vhost");
      await page.click("form button[type=submit]");
      await page.getByRole("cell", { name: "ui-vhost", exact: true }).waitFor();

      // A user with a tag, then permissions for it in the new vhost.
      await openTab(page, "users");
      await page.fill("form input[name=username]", "ui-user");
      await page.fill("form input[name=password]", "ui-secret");
      await page.fill("form input[name=tags]", "monitoring");
      await page.click("form button[type=submit]");
      await page.getByRole("cell", { name: "ui-user", exact: true }).waitFor();

      await openTab(page, "permissions");
      await page.waitForSelector("form select[name=user] option[value=ui-user]", { state: "attached" });
      await page.selectOption("form select[name=user]", "ui-user");
      await page.selectOption("form select[name=vhost]", "ui-vhost");
      await page.click("form button[type=submit]");
      await page.locator("table.list tbody tr", { hasText: "ui-vhost" }).getByRole("cell", {
        name: "ui-user",
        exact: true,
      }).waitFor();

      // A client publishes steadily to a queue while the Queues page is open.
      conn = await amqp.connect(broker.url);
      conn.on("error", () => {});
      const ch = await conn.createConfirmChannel();
      const queue = "ui-live";
      await ch.assertQueue(queue, { durable: false });

      await openTab(page, "queues");
      // Mark the document: if the page reloaded, the mark would be gone.
      await page.evaluate(() => ((globalThis as unknown as { uiMark: number }).uiMark = 42));
      const before = await readyCount(page, queue);
      assert.equal(before, 0);

      publishing = true;
      publisher = (async () => {
        let n = 0;
        while (publishing) {
          ch.sendToQueue(queue, Buffer.from(`message ${++n}`));
          await ch.waitForConfirms();
          await new Promise((r) => setTimeout(r, PUBLISH_INTERVAL_MS));
        }
      })();

      const first = await readyAbove(page, queue, before);
      const second = await readyAbove(page, queue, first);
      console.log(`web UI saw Ready go ${before} -> ${first} -> ${second}`);
      const mark = await page.evaluate(() => (globalThis as unknown as { uiMark?: number }).uiMark);
      assert.equal(mark, 42, "the Queues page reloaded instead of refreshing in place");

      const queuesShot = `${shotsDir}/queues.png`;
      await page.screenshot({ path: queuesShot });
      console.log(`web UI screenshot: ${queuesShot}`);

      publishing = false;
      await publisher;

      // A quorum queue added through the form is listed with its type.
      await page.click("summary:has-text('Add a queue')");
      await page.fill("form input[name=name]", "ui-quorum");
      await page.selectOption("form select[name=x-queue-type]", "quorum");
      await page.click("button:has-text('Add queue')");
      await page.locator("table.list tbody tr", { hasText: "ui-quorum" }).getByRole("cell", {
        name: "quorum",
        exact: true,
      }).waitFor();

      // The queue's own page: publish through the API and get the messages back.
      await page.click(`a.queue-link:text-is("${queue}")`);
      await page.waitForSelector("textarea[name=payload]");
      await page.fill("textarea[name=payload]", "typed in the browser");
      await page.click("button:has-text('Publish message')");
      await page.getByText("Message published.").waitFor();
      const total = await ch.checkQueue(queue);
      await page.fill("input[name=count]", String(total.messageCount));
      await page.selectOption("select[name=ackmode]", "ack_requeue_true");
      await page.click("button:has-text('Get message(s)')");
      await page.locator("pre.payload", { hasText: "typed in the browser" }).waitFor();
      await page.locator("pre.payload", { hasText: "message 1" }).first().waitFor();
      const queueShot = `${shotsDir}/queue.png`;
      await page.screenshot({ path: queueShot, fullPage: true });
      console.log(`web UI screenshot: ${queueShot}`);

      await openTab(page, "overview");
      await page.waitForFunction(`document.querySelector(".stat .value")?.textContent === "1"`);
      const overviewShot = `${shotsDir}/overview.png`;
      await page.screenshot({ path: overviewShot });
      console.log(`web UI screenshot: ${overviewShot}`);

      assert.deepEqual(pageErrors, [], "the page threw");
    };

    try {
      await Promise.race([
        scenario(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`web UI test took over ${TEST_TIMEOUT_MS} ms`)),
            TEST_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      publishing = false;
      await publisher.catch(() => {});
      await conn?.close().catch(() => {});
      await context?.close().catch(() => {});
      if (broker) {
        broker.kill();
        await broker.exited;
      }
      // Keep the screenshots; drop the broker's data and the browser profile.
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await Deno.remove(profileDir, { recursive: true }).catch(() => {});
    }
  },
});
