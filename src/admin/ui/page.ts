// The management web UI: one self-contained HTML document (markup, the
// stylesheet and the browser code inline; no fonts, images or scripts from
// anywhere else), served at "/" by the management HTTP server. The browser
// code is TypeScript in app/, bundled by `deno task ui` into the checked-in
// bundle.generated.ts, so `deno run`, `deno bundle` and `deno compile` carry
// the page with no build step at run time, and the page works offline.
import { UI_CSS } from "./style.ts";
import { UI_SCRIPT } from "./bundle.generated.ts";

export const UI_HTML: string = [
  "<!doctype html>",
  '<html lang="en">',
  "<head>",
  '<meta charset="utf-8">',
  '<meta name="viewport" content="width=device-width, initial-scale=1">',
  // An empty icon, so the browser does not ask the server for /favicon.ico.
  '<link rel="icon" href="data:,">',
  "<title>Warren management</title>",
  "<style>",
  UI_CSS,
  "</style>",
  "</head>",
  "<body>",
  '<div id="app"><noscript>The management UI needs JavaScript.</noscript></div>',
  "<script>",
  UI_SCRIPT,
  "</script>",
  "</body>",
  "</html>",
  "",
].join("\n");
