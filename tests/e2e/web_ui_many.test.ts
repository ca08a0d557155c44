// The web UI with 2,000 queues in headless Chromium against the real entry
// point: a wrong password is refused in words; the Queues page stays one
// screen tall (the server pages), the name filter and the sortable Name
// column work, a queue named like markup shows as text; the Connections
// page and a connection's page show its client-provided name and client
// properties; the overview's charts have history. Screenshots are kept in
// the test's temp dir and their paths printed.
//
// Needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it).
import { openTab, type Page } from "../helpers/browser.ts";
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { runUiTest } from "../helpers/ui_test.ts";

const TEST_TIMEOUT_MS = 120_000;
const QUEUE_COUNT = 2000;
const VIEWPORT_HEIGHT_PX = 800;
const XSS_NAME = '<img src=x onerror="window.uiXss=1">';

function queueName(i: number): string {
  return `many-${String(i).padStart(4, "0")}`;
}

/** The names in the Name column of the Queues table, top to bottom. */
function shownNames(page: Page): Promise<string[]> {
  return page.locator("table.list tbody a.queue-link").allTextContents();
}

async function waitForNames(
  page: Page,
  check: (names: string[]) => boolean,
  what: string,
): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = await shownNames(page);
    if (check(names)) return names;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: the table showed ${JSON.stringify(names.slice(0, 5))}...`);
}

Deno.test({
  name:
    "web UI with 2,000 queues: one screen tall, filter and sort work, names stay text, connection details",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await runUiTest(
      "warren-web-ui-many-",
      TEST_TIMEOUT_MS,
      async ({ broker, dirs, openLogin, onTeardown }) => {
        const { shotsDir } = dirs;
        const conn = await amqp.connect(broker.url, {
          clientProperties: { connection_name: "ui-many-loader" },
        });
        onTeardown(() => conn.close());
        conn.on("error", () => {});
        const ch = await conn.createChannel();
        for (let i = 0; i < QUEUE_COUNT; i++) await ch.assertQueue(queueName(i), { durable: false });
        await ch.assertQueue(XSS_NAME, { durable: false });

        const ui = await openLogin();
        const { page, pageErrors } = ui;

        // A wrong password is refused in words, and the form stays.
        await page.fill("input[name=username]", "guest");
        await page.fill("input[name=password]", "not-the-password");
        await page.click("form.login button[type=submit]");
        await page.locator(".msg.error", { hasText: "Login failed: the username or password is wrong." })
          .waitFor();
        await page.fill("input[name=password]", "guest");
        await page.click("form.login button[type=submit]");
        await page.waitForSelector("nav.tabs");

        await openTab(page, "queues");
        await page.locator(".panel h2 .count", { hasText: "2,001 queues" }).waitFor();
        const first = await waitForNames(page, (n) => n.length === 15, "first page");
        const height = await page.evaluate<number>("document.documentElement.scrollHeight");
        console.log(`queue list page with ${QUEUE_COUNT + 1} queues: ${height} px tall`);
        assert.ok(height <= VIEWPORT_HEIGHT_PX, `the queue list page is ${height} px tall`);
        assert.ok(first.includes(XSS_NAME), "the markup-like name is listed as text");
        assert.equal(await page.evaluate(() => (globalThis as { uiXss?: number }).uiXss), undefined);
        const listShot = `${shotsDir}/queues.png`;
        await page.screenshot({ path: listShot });
        console.log(`web UI screenshot: ${listShot}`);

        // The name filter goes to the server: 100 of the 2,001 match.
        await page.fill("input[name=filter]", "many-19");
        await page.locator(".panel h2 .count", { hasText: "100 of 2,001 queues" }).waitFor();
        await waitForNames(
          page,
          (n) => n.length === 15 && n.every((x) => x.startsWith("many-19")),
          "filtered",
        );

        // Next page, then sort by name descending (two clicks on the header).
        await page.click("button[name=next]");
        await waitForNames(page, (n) => n[0] === "many-1915", "second page");
        await page.click("th[data-col=name]");
        await page.click("th[data-col=name]");
        await page.locator("th[data-col=name].sorted", { hasText: "\u25bc" }).waitFor();
        const sorted = await waitForNames(page, (n) => n[0] === "many-1999", "sorted descending");
        assert.deepEqual(sorted.slice(0, 3), ["many-1999", "many-1998", "many-1997"]);
        const filterShot = `${shotsDir}/queues-filtered.png`;
        await page.screenshot({ path: filterShot });
        console.log(`web UI screenshot: ${filterShot}`);

        // Column choice: hide the Features column.
        await page.click("details.columns summary");
        await page.uncheck("input[name=col-features]");
        assert.equal(await page.locator("th[data-col=features]").count(), 0);

        // The connection's own page: its client-provided name and client properties.
        await openTab(page, "connections");
        await page.getByRole("cell", { name: "ui-many-loader", exact: true }).waitFor();
        await page.click("a.connection-link");
        await page.locator("table.kv tr", { hasText: "Client-provided name" }).getByText("ui-many-loader")
          .waitFor();
        await page.locator(".panel", { hasText: "Client properties" }).getByText("amqplib").first().waitFor();
        const connShot = `${shotsDir}/connection.png`;
        await page.screenshot({ path: connShot, fullPage: true });
        console.log(`web UI screenshot: ${connShot}`);

        // The overview's charts come with the node's history (at least one sample at once).
        await openTab(page, "overview");
        await page.waitForFunction(`document.querySelector(".stat .value")?.textContent === "1"`);
        const overviewShot = `${shotsDir}/overview.png`;
        await page.screenshot({ path: overviewShot, fullPage: true });
        console.log(`web UI screenshot: ${overviewShot}`);

        assert.deepEqual(pageErrors, [], "the page threw");
      },
    );
  },
});
