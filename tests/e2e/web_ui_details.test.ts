// The web UI's detail pages and definitions in headless Chromium against the
// real entry point: an exchange's page (bindings both ways, rates), a
// channel's page (its message counts), a user's and a vhost's page (their
// permissions, the vhost's charts), and on the overview a definitions
// export (a download) and import (an uploaded file that declares a queue),
// and its charts drawn from the node's history.
// Screenshots are kept in the test's temp dir and their paths printed.
//
// Needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it).
import { openTab } from "../helpers/browser.ts";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { runUiTest } from "../helpers/ui_test.ts";

const TEST_TIMEOUT_MS = 90_000;

Deno.test({
  name: "web UI: exchange, channel, user and vhost pages; definitions download and upload on the overview",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await runUiTest(
      "warren-web-ui-details-",
      TEST_TIMEOUT_MS,
      async ({ broker, dirs, openUi, onTeardown }) => {
        const { tmp, shotsDir } = dirs;
        const shot = async (page: import("../helpers/browser.ts").Page, name: string) => {
          const path = `${shotsDir}/${name}.png`;
          await page.screenshot({ path, fullPage: true });
          console.log(`web UI screenshot: ${path}`);
        };
        const conn = await amqp.connect(broker.url, {
          clientProperties: { connection_name: "details-client" },
        });
        onTeardown(() => conn.close());
        conn.on("error", () => {});
        const ch = await conn.createConfirmChannel();
        await ch.assertExchange("orders", "fanout", { durable: true });
        await ch.assertQueue("orders.audit", { durable: true });
        await ch.assertQueue("orders.billing", { durable: true });
        await ch.bindQueue("orders.audit", "orders", "");
        await ch.bindQueue("orders.billing", "orders", "");
        for (let i = 0; i < 7; i++) ch.publish("orders", "", Buffer.from(`order ${i}`));
        await ch.waitForConfirms();

        const ui = await openUi();
        const { page, pageErrors } = ui;

        // The exchange's page, reached from the Exchanges list.
        await openTab(page, "exchanges");
        await page.click("a.exchange-link:text-is('orders')");
        const fromPanel = page.locator(".panel", { hasText: "Bindings from this exchange" });
        await fromPanel.locator("a.queue-link", { hasText: "orders.billing" }).waitFor();
        await page.locator("table.kv tr", { hasText: "Type" }).getByText("fanout").waitFor();
        await shot(page, "exchange");

        // The channel's page shows what the client did on it.
        await openTab(page, "channels");
        await page.click("a.channel-link");
        await page.locator("table.kv tr", { hasText: "Published" }).getByRole("cell", {
          name: "7",
          exact: true,
        })
          .waitFor();
        await page.locator("table.kv tr", { hasText: "Confirmed" }).getByRole("cell", {
          name: "7",
          exact: true,
        })
          .waitFor();
        await shot(page, "channel");

        // A user's page lists the user's permissions; a vhost's page its users.
        await openTab(page, "users");
        await page.click("a.user-link:text-is('guest')");
        await page.locator(".panel", { hasText: "Permissions" }).locator("a.vhost-link", { hasText: "/" })
          .waitFor();
        await shot(page, "user");
        await openTab(page, "vhosts");
        await page.click("a.vhost-link:text-is('/')");
        await page.locator(".panel", { hasText: "Permissions" }).locator("a.user-link", { hasText: "guest" })
          .waitFor();
        await page.locator(".stat", { hasText: "Total" }).locator(".value", { hasText: "14" }).waitFor();
        await shot(page, "vhost");

        // Definitions: download them, then upload a file that adds a queue.
        await openTab(page, "overview");
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click("button[name=export]"),
        ]);
        const exported = JSON.parse(await Deno.readTextFile(await download.path()));
        assert.ok(exported.queues.some((q: { name: string }) => q.name === "orders.audit"));
        const file = `${tmp}/import.json`;
        await Deno.writeTextFile(
          file,
          JSON.stringify({
            queues: [{ name: "imported.q", vhost: "/", durable: true, auto_delete: false, arguments: {} }],
          }),
        );
        await page.setInputFiles("input[name=definitions-file]", file);
        await page.click("button[name=import]");
        await page.getByText("Definitions imported from import.json.").waitFor();
        assert.equal((await ch.checkQueue("imported.q")).messageCount, 0);
        // The charts draw the node's own history: lines as soon as it holds two samples (5 s apart).
        await page.waitForSelector(".chart polyline", { state: "attached", timeout: 20_000 });
        await shot(page, "overview");

        assert.deepEqual(pageErrors, [], "the page threw");
      },
    );
  },
});
