// `warren ctl` only reads the configuration and talks HTTP to the node: its
// module graph must not reach the SQLite store (and so node:sqlite), which
// would make every ctl call load a database engine it never uses.
import assert from "node:assert/strict";

Deno.test("ctl's module graph does not load the SQLite store or node:sqlite", async () => {
  const ctl = new URL("../../src/cli/ctl.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", ctl],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: { specifier: string }[] };
  const specifiers = graph.modules.map((m) => m.specifier);
  assert.ok(specifiers.some((s) => s.endsWith("/src/config/config.ts")), "the graph is ctl's");
  assert.deepEqual(specifiers.filter((s) => s.includes("sqlite")), []);
});
