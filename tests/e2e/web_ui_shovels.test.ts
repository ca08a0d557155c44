// The web UI's Shovels page in headless Chromium against the real entry
// point: add a shovel through the form (credentials in its destination URI
// are never shown), see it running and moving a client's messages, see a
// refused definition's reason, restart it, and delete it.
// Screenshots are kept in the test's temp dir and their paths printed.
//
// Needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it).
import { openTab, type Page } from "../helpers/browser.ts";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { runUiTest } from "../helpers/ui_test.ts";

const TEST_TIMEOUT_MS = 90_000;

function shovelRow(page: Page, name: string) {
  return page.locator("table.list tbody tr", { has: page.getByRole("cell", { name, exact: true }) });
}

Deno.test({
  name: "web UI: add a shovel through the form, see it running and moving messages, restart and delete it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await runUiTest(
      "warren-web-ui-shovels-",
      TEST_TIMEOUT_MS,
      async ({ broker, dirs, openUi, onTeardown }) => {
        const { shotsDir } = dirs;
        const conn = await amqp.connect(broker.url);
        onTeardown(() => conn.close());
        conn.on("error", () => {});
        const ch = await conn.createConfirmChannel();
        await ch.assertQueue("inbox", { durable: true });
        for (let i = 1; i <= 20; i++) ch.sendToQueue("inbox", Buffer.from(`m${i}`), { persistent: true });
        await ch.waitForConfirms();

        const ui = await openUi();
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
      },
    );
  },
});
