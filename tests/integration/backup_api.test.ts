// Online backup, the API's edges: POST /api/backup takes a JSON body naming
// an absolute path on the node's machine, is for administrators only (it
// writes a file wherever the node's OS user may), refuses the node's own data
// file, and GET /api/backup reports whether one runs. An in-memory node has
// nothing to back up, and ctl says so. WARREN ONLY: RabbitMQ has no such
// endpoint (its 401 for a non-administrator on an administrator-only
// endpoint, "Not administrator user", is the one copied here).
import assert from "node:assert/strict";
import { ctlTest } from "../helpers/ctl_node.ts";
import { startServer } from "../../src/server/server.ts";
import { startAdminServer } from "../../src/admin/admin_server.ts";
import { openStore } from "../../src/store/open_store.ts";

const TEST_TIMEOUT_MS = 20_000;

ctlTest("ctl backup of an in-memory node fails with exit 65 and says there is nothing on disk", async (f) => {
  const r = await f.ctl("backup", "/tmp/never-written.db");
  assert.equal(r.code, 65);
  assert.deepEqual(r.err, ["Error: the node keeps nothing on disk (in-memory mode): nothing to back up"]);
});

Deno.test({
  name: "POST /api/backup: administrators only, a JSON body with an absolute file, never the node's own file",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-backup-api-" });
    const outDir = await Deno.makeTempDir({ prefix: "warren-backup-api-out-" });
    const server = await startServer({
      port: 0,
      hostname: "127.0.0.1",
      logLevel: "error",
      store: openStore({ dataDir, inMemory: false, sync: "normal" }),
    });
    const admin = await startAdminServer({ node: server, port: 0, hostname: "127.0.0.1", ctlSecret: null });
    const api = `http://127.0.0.1:${admin.port}/api`;
    const call = async (
      method: string,
      path: string,
      user: string,
      body?: string,
      type = "application/json",
    ) => {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Basic ${btoa(`${user}:pw`)}`, "content-type": type },
        body,
        signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
      });
      const text = await res.text();
      return { status: res.status, body: text === "" ? null : JSON.parse(text) };
    };
    try {
      for (const [name, tags] of [["backup-admin", "administrator"], ["backup-monitor", "monitoring"]]) {
        server.users.addUser(name, "pw", [tags]);
      }
      const target = `${outDir}/copy.db`;
      const asMonitor = await call("POST", "/backup", "backup-monitor", JSON.stringify({ file: target }));
      assert.equal(asMonitor.status, 401);
      assert.equal(asMonitor.body.reason, "Not administrator user");

      const form = await call("POST", "/backup", "backup-admin", `file=${target}`, "text/plain");
      assert.equal(form.status, 415, "a form post from another origin is refused");

      const missing = await call("POST", "/backup", "backup-admin", "{}");
      assert.equal(missing.status, 400);
      assert.equal(missing.body.reason, "[{key_missing,file}]");

      const relative = await call("POST", "/backup", "backup-admin", JSON.stringify({ file: "copy.db" }));
      assert.equal(relative.status, 400);
      assert.equal(relative.body.reason, "copy.db is not an absolute path");

      const own = await call(
        "POST",
        "/backup",
        "backup-admin",
        JSON.stringify({ file: `${dataDir}/warren.db` }),
      );
      assert.equal(own.status, 400);
      assert.match(own.body.reason, /warren\.db is the node's own data file$/);

      assert.deepEqual((await call("GET", "/backup", "backup-admin")).body, { running: false });
      const ok = await call("POST", "/backup", "backup-admin", JSON.stringify({ file: target }));
      assert.equal(ok.status, 200);
      assert.equal(ok.body.file, await Deno.realPath(target));
      assert.equal(ok.body.bytes, (await Deno.stat(target)).size);
      assert.equal(typeof ok.body.duration_ms, "number");
      await assert.rejects(Deno.stat(`${target}.partial`), Deno.errors.NotFound, "no temporary file left");
    } finally {
      await admin.close();
      await server.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await Deno.remove(outDir, { recursive: true }).catch(() => {});
    }
  },
});
