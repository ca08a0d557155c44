// The web UI's Federation page in headless Chromium against the real entry
// point: add an upstream through the form (credentials in its URI are never
// shown), see the link a policy starts for an exchange running and moving
// messages, see a refused upstream's reason, and delete the upstream, which
// stops its link. The upstream is the node itself (amq.fanout federated into
// an exchange of its own), so one broker is enough.
// Screenshots are kept in the test's temp dir and their paths printed.
//
// Needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it).
import { openTab, type Page } from "../helpers/browser.ts";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { runUiTest } from "../helpers/ui_test.ts";
import { callApi } from "../helpers/management_api.ts";

const TEST_TIMEOUT_MS = 90_000;

/** A row of the panel titled `panel` (the links table names upstreams too). */
function row(page: Page, panel: string, name: string) {
  return page.locator("section.panel", { has: page.getByRole("heading", { name: panel }) })
    .locator("table.list tbody tr", { has: page.getByRole("cell", { name, exact: true }) });
}

Deno.test({
  name:
    "web UI: add a federation upstream through the form, see its link running and moving messages, delete it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await runUiTest(
      "warren-web-ui-federation-",
      TEST_TIMEOUT_MS,
      async ({ broker, dirs, openUi, onTeardown }) => {
        const { shotsDir } = dirs;
        const conn = await amqp.connect(broker.url);
        onTeardown(() => conn.close());
        conn.on("error", () => {});
        const ch = await conn.createConfirmChannel();
        await ch.assertExchange("edge", "fanout", { durable: true });
        await ch.assertQueue("edge-inbox", { durable: true });
        await ch.bindQueue("edge-inbox", "edge", "");
        const policy = await callApi(
          `http://127.0.0.1:${broker.managementPort}`,
          "PUT",
          "/api/policies/%2F/fed",
          {
            body: {
              pattern: "^edge$",
              "apply-to": "exchanges",
              definition: { "federation-upstream-set": "all" },
            },
          },
        );
        assert.equal(policy.status, 201);

        const ui = await openUi();
        const { page, pageErrors } = ui;

        await openTab(page, "federation");
        await page.getByRole("cell", { name: "No upstreams." }).waitFor();
        await page.getByRole("cell", { name: "No links." }).waitFor();
        await page.fill("input[name=upstream-name]", "central");
        await page.fill("input[name=uri]", `${broker.url}%2f`);
        await page.fill("input[name=upstream-exchange]", "amq.fanout");
        await page.fill("input[name=expires]", "60000");
        await page.click("button:has-text('Add upstream')");
        await page.getByText("Upstream central added in /.").waitFor();
        const up = row(page, "Federation upstreams", "central");
        const upText = await up.textContent() ?? "";
        assert.ok(!upText.includes("guest:guest"), `credentials shown: ${upText}`);
        assert.match(upText, /amq\.fanout/);

        const link = row(page, "Links", "edge");
        await link.locator(".state.running").waitFor();
        assert.ok(!(await link.textContent() ?? "").includes("guest:guest"));
        // The link mirrors edge's binding upstream within a second; publish until one arrives.
        for (let i = 0; i < 50 && (await ch.checkQueue("edge-inbox")).messageCount === 0; i++) {
          ch.publish("amq.fanout", "", Buffer.from("hello"));
          await ch.waitForConfirms();
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.ok((await ch.checkQueue("edge-inbox")).messageCount > 0, "a message federated into edge");
        await link.locator("td.num", { hasNotText: /^0$/ }).first().waitFor();

        // An upstream the node refuses: its reason under the form.
        await page.fill("input[name=upstream-name]", "broken");
        await page.fill("input[name=uri]", "http://nowhere");
        await page.click("button:has-text('Add upstream')");
        await page.locator(".msg.error", { hasText: "not a valid URI" }).waitFor();

        const shot = `${shotsDir}/federation.png`;
        await page.screenshot({ path: shot, fullPage: true });
        console.log(`web UI screenshot: ${shot}`);

        await up.getByRole("button", { name: "Delete" }).click();
        await page.getByRole("cell", { name: "No upstreams." }).waitFor();
        await page.getByRole("cell", { name: "No links." }).waitFor();

        assert.deepEqual(pageErrors, [], "the page threw");
      },
    );
  },
});
