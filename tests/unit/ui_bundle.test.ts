// The web UI's bundle is checked in (src/admin/ui/bundle.generated.ts) so
// that `deno run main.ts`, `deno bundle` and `deno compile` need no build
// step; this fails when it no longer matches src/admin/ui/app/ (run
// `deno task ui`).
import assert from "node:assert/strict";
import { buildUiModule, GENERATED } from "../../scripts/build_ui.ts";
import { UI_HTML } from "../../src/admin/ui/page.ts";

Deno.test("the checked-in UI bundle is the bundle of the current sources", async () => {
  const wanted = await buildUiModule();
  const have = await Deno.readTextFile(GENERATED);
  assert.ok(have === wanted, "src/admin/ui/bundle.generated.ts is stale: run `deno task ui`");
});

Deno.test("the page inlines the bundle in exactly one script element", () => {
  assert.equal(UI_HTML.match(/<script>/g)?.length, 1);
  assert.equal(UI_HTML.match(/<\/script>/g)?.length, 1);
  assert.match(UI_HTML, /src\/admin\/ui\/app\/main\.ts/);
});
