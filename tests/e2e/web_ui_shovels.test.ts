// The web UI's Shovels page in headless Chromium against the real entry
// point: add a shovel through the form (credentials in its destination URI
// are never shown), see it running and moving a client's messages, see a
// refused definition's reason, restart it, and delete it.
// Screenshots are kept in the test's temp dir and their paths printed.
//
// Needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it).
import { type BrowserContext, openTab, openUi, type Page, uiTestDirs } from "../helpers/browser.ts";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";

const TEST_TIMEOUT_MS = 90_000;

function shovelRow(page: Page, name: string) {
  return page.locator("table.list tbody tr", { has: page.getByRole("cell", { name, exact: true }) });
}

Deno.test({
  name: "web UI: add a shovel through the form, see it running and moving messages, restart and delete it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { dataDir, profileDir, shotsDir } = await uiTestDirs("warren-web-ui-shovels-");

    let broker: BrokerProcess | undefined;
    let context: BrowserContext | undefined;
    let conn: Awaited<ReturnType<typeof amqp.connect>> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const scenario = async () => {
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const base = `http://127.0.0.1:${broker.managementPort}/`;
      conn = await amqp.connect(broker.url);
      conn.on("error", () => {});
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue("inbox", { durable: true });
      for (let i = 1; i <= 20; i++) ch.sendToQueue("inbox", Buffer.from(`m${i}`), { persistent: true });
      await ch.waitForConfirms();

      const ui = await openUi(profileDir, base);
      context = ui.context;
      const { page, pageErrors } = ui;

      await openTab(page, "shovels");
      await page.getByRole("cell", { name: "No shovels." }).waitFor();
      await page.fill("input[name=shovel-name]", "to-central");
      await page.fill("input[name=src-name]", "inbox");
      await page.fill("input[name=dest-uri]", `${broker.url}%2f`);
      await page.fill("input[name=dest-name]", "outbox");
      await page.click("button:has-text('Add shovel')");
      await page.getByText("Shovel to-central added in /.").waitFor();
      const row = shovelRow(page, "to-central");
      await row.locator(".state.running").waitFor();
      await row.getByRole("cell", { name: "20", exact: true }).waitFor();
      const text = await row.textContent() ?? "";
      assert.match(text, /queue inbox/);
      assert.match(text, /queue outbox/);
      assert.ok(!text.includes("guest:guest"), `credentials shown: ${text}`);
      assert.equal((await ch.checkQueue("outbox")).messageCount, 20);

      // A definition the node refuses: its reason under the form.
      await page.fill("input[name=shovel-name]", "broken");
      await page.fill("input[name=src-uri]", "http://nowhere");
      await page.click("button:has-text('Add shovel')");
      await page.locator(".msg.error", { hasText: "not a valid URI" }).waitFor();

      const shot = `${shotsDir}/shovels.png`;
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`web UI screenshot: ${shot}`);

      await row.getByRole("button", { name: "Restart" }).click();
      await page.getByText("Shovel to-central restarted.").waitFor();
      await row.locator(".state.running").waitFor();
      await row.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("cell", { name: "No shovels." }).waitFor();

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
      await conn?.close().catch(() => {});
      await context?.close().catch(() => {});
      if (broker) {
        broker.kill();
        await broker.exited;
      }
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await Deno.remove(profileDir, { recursive: true }).catch(() => {});
    }
  },
});
