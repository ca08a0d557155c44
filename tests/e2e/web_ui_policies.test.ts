// The web UI's policies in headless Chromium against the real entry point:
// add a policy through the Policies form (with the key buttons), see it
// listed and in effect on a queue a client declared, see the queue's
// arguments and effective policy on its page, edit it, and delete it.
// Screenshots are kept in the test's temp dir and their paths printed.
//
// Needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it).
import { openTab, type Page } from "../helpers/browser.ts";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { runUiTest } from "../helpers/ui_test.ts";

const TEST_TIMEOUT_MS = 90_000;

function policyRow(page: Page, name: string) {
  return page.locator("table.list tbody tr", { has: page.getByRole("cell", { name, exact: true }) });
}

Deno.test({
  name:
    "web UI: add a policy through the form, see it on the Queues list and the queue's page, edit and delete it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await runUiTest(
      "warren-web-ui-policies-",
      TEST_TIMEOUT_MS,
      async ({ broker, dirs, openUi, onTeardown }) => {
        const { shotsDir } = dirs;

        // A client's queues first: one the policy will match, declared with an argument of its own.
        const conn = await amqp.connect(broker.url);
        onTeardown(() => conn.close());
        conn.on("error", () => {});
        const ch = await conn.createConfirmChannel();
        await ch.assertQueue("orders.eu", { durable: true, arguments: { "x-max-length": 3 } });
        await ch.assertQueue("audit", { durable: true });
        for (let i = 1; i <= 8; i++) ch.sendToQueue("orders.eu", Buffer.from(`order ${i}`));
        await ch.waitForConfirms();

        const ui = await openUi();
        const { page, pageErrors } = ui;

        // A policy through the form: the key buttons fill in the definition, then it is edited by hand.
        await openTab(page, "policies");
        await page.getByRole("cell", { name: "No policies." }).waitFor();
        await page.fill("input[name=policy-name]", "orders-limits");
        await page.fill("input[name=pattern]", "^orders\\.");
        await page.selectOption("select[name=apply-to]", "queues");
        await page.fill("input[name=priority]", "5");
        await page.click(".key-buttons button:text-is('max-length')");
        await page.click(".key-buttons button:text-is('message-ttl')");
        const filled = JSON.parse(await page.inputValue("textarea[name=definition]"));
        assert.deepEqual(filled, { "max-length": 1000, "message-ttl": 60000 });
        await page.fill("textarea[name=definition]", '{"max-length": 5, "message-ttl": 3600000}');
        await page.click("button:has-text('Save policy')");
        await page.getByText("Policy orders-limits saved in /.").waitFor();
        const row = policyRow(page, "orders-limits");
        await row.getByRole("cell", { name: "1 queue", exact: true }).waitFor();
        assert.match(await row.textContent() ?? "", /max-length: 5, message-ttl: 3600000/);

        // A bad definition shows the node's reason under the form.
        await page.fill("input[name=policy-name]", "broken");
        await page.fill("textarea[name=definition]", '{"max-lenght": 5}');
        await page.click("button:has-text('Save policy')");
        await page.locator(".msg.error", { hasText: "Validation failed" }).waitFor();

        const policiesShot = `${shotsDir}/policies.png`;
        await page.screenshot({ path: policiesShot, fullPage: true });
        console.log(`web UI screenshot: ${policiesShot}`);

        // The Queues list names the policy in the Features column.
        await openTab(page, "queues");
        const ordersRow = page.locator("table.list tbody tr", {
          has: page.locator("a.queue-link", { hasText: /^orders\.eu$/ }),
        });
        await ordersRow.locator(".badge.pol", { hasText: "orders-limits" }).waitFor();
        assert.equal(
          await page.locator("table.list tbody tr", {
            has: page.locator("a.queue-link", { hasText: /^audit$/ }),
          })
            .locator(".badge.pol").count(),
          0,
        );
        const queuesShot = `${shotsDir}/queues.png`;
        await page.screenshot({ path: queuesShot });
        console.log(`web UI screenshot: ${queuesShot}`);

        // The queue's page: its arguments, its policy, and which policy keys its own (lower) x-max-length overrides.
        await page.click("a.queue-link:text-is('orders.eu')");
        const details = page.locator("table.kv");
        await details.locator("tr", { hasText: "Policy" }).locator("a", { hasText: "orders-limits" })
          .waitFor();
        await details.locator("tr", { hasText: "Arguments" }).getByText("x-max-length: 3").waitFor();
        const effective = details.locator("tr", { hasText: "Effective policy" });
        await effective.locator(".overridden", { hasText: "max-length: 5" }).waitFor();
        await effective.getByText("the x-max-length argument applies").waitFor();
        await effective.getByText("message-ttl: 3600000").waitFor();
        const queueShot = `${shotsDir}/queue.png`;
        await page.screenshot({ path: queueShot, fullPage: true });
        console.log(`web UI screenshot: ${queueShot}`);

        // Edit fills the form; saving with a new pattern moves the policy to the audit queue.
        await openTab(page, "policies");
        await policyRow(page, "orders-limits").getByRole("button", { name: "Edit" }).click();
        assert.equal(await page.inputValue("input[name=pattern]"), "^orders\\.");
        await page.fill("input[name=pattern]", "^audit$");
        await page.click("button:has-text('Save policy')");
        await policyRow(page, "orders-limits").getByRole("cell", { name: "^audit$", exact: true }).waitFor();
        await policyRow(page, "orders-limits").getByRole("cell", { name: "1 queue", exact: true }).waitFor();

        await policyRow(page, "orders-limits").getByRole("button", { name: "Delete" }).click();
        await page.getByRole("cell", { name: "No policies." }).waitFor();

        assert.deepEqual(pageErrors, [], "the page threw");
      },
    );
  },
});
