// A stream queue's page in the web UI, in headless Chromium against the real
// entry point: its type, the log's size, segments and offsets, and each
// consumer's offset (Warren's own figures: RabbitMQ 3.10.8's management UI
// shows none of them for a stream, only the consumers' x-stream-offset
// arguments). A classic queue's page has no offset column; the form that
// adds queues offers the stream type. Screenshots are
// kept in the test's temp dir and their paths printed.
//
// Needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it).
import { openTab, type Page } from "../helpers/browser.ts";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { runUiTest } from "../helpers/ui_test.ts";

const TEST_TIMEOUT_MS = 90_000;
const RECORDS = 12;

Deno.test({
  name: "web UI: a stream's page shows its type, size, segments, offsets and each consumer's offset",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await runUiTest(
      "warren-web-ui-streams-",
      TEST_TIMEOUT_MS,
      async ({ broker, dirs, openUi, onTeardown }) => {
        const shot = async (page: Page, name: string) => {
          const path = `${dirs.shotsDir}/${name}.png`;
          await page.screenshot({ path, fullPage: true });
          console.log(`web UI screenshot: ${path}`);
        };
        const conn = await amqp.connect(broker.url);
        onTeardown(() => conn.close());
        conn.on("error", () => {});
        const ch = await conn.createConfirmChannel();
        await ch.assertQueue("events", { durable: true, arguments: { "x-queue-type": "stream" } });
        await ch.assertQueue("plain", { durable: true });
        for (let i = 0; i < RECORDS; i++) ch.sendToQueue("events", Buffer.from(`event ${i}`));
        await ch.waitForConfirms();
        // One consumer reads everything from the start, one only the last two records.
        for (
          const [tag, offset, count] of [["replay", "first", RECORDS], ["tail", RECORDS - 2, 2]] as const
        ) {
          const reader = await conn.createChannel();
          await reader.prefetch(100);
          let got = 0;
          await new Promise<void>((resolve) => {
            reader.consume("events", (m) => {
              if (m && ++got === count) resolve();
            }, { consumerTag: tag, arguments: { "x-stream-offset": offset } });
          });
        }
        await ch.consume("plain", () => {}, { consumerTag: "plain-reader" });

        const { page, pageErrors } = await openUi();
        await openTab(page, "queues");
        await page.click("a.queue-link:text-is('events')");
        // The value cell of the details row whose heading is exactly `key`.
        const kv = (key: string) =>
          page.locator("table.kv tr", { has: page.locator("th", { hasText: new RegExp(`^${key}$`) }) })
            .locator("td");
        await kv("Type").getByText("stream", { exact: true }).waitFor();
        await kv("Segments").getByText("1", { exact: true }).waitFor();
        await kv("Offsets").getByText(`0 to ${RECORDS - 1}`, { exact: true }).waitFor();
        assert.match(await kv("Stream size").innerText(), /^\d+(\.\d)? (B|KiB)$/);
        const consumerRow = (tag: string) =>
          page.locator(".panel", { hasText: "Consumers" }).locator("tr", { hasText: tag });
        // Both have been delivered up to the last record.
        await consumerRow("replay").locator("td.num").last().getByText(String(RECORDS - 1)).waitFor();
        await consumerRow("tail").locator("td.num").last().getByText(String(RECORDS - 1)).waitFor();
        assert.equal(await page.locator("th[data-col=offset]").count(), 1);
        await shot(page, "stream");

        await openTab(page, "queues");
        await page.click("a.queue-link:text-is('plain')");
        await kv("Type").getByText("classic", { exact: true }).waitFor();
        await consumerRow("plain-reader").waitFor();
        assert.equal(
          await page.locator("th[data-col=offset]").count(),
          0,
          "no offset column for a classic queue",
        );
        assert.equal(await kv("Segments").count(), 0);
        await shot(page, "classic");

        // A stream added through the form is listed with its type.
        await openTab(page, "queues");
        await page.click("summary:has-text('Add a queue')");
        await page.fill("form input[name=name]", "ui-stream");
        await page.selectOption("form select[name=x-queue-type]", "stream");
        await page.click("button:has-text('Add queue')");
        await page.locator("table.list tbody tr", { hasText: "ui-stream" }).getByRole("cell", {
          name: "stream",
          exact: true,
        }).waitFor();

        assert.deepEqual(pageErrors, [], "the page threw");
      },
    );
  },
});
