// The web UI page. It lives in ui/page.ts (as `export const UI_HTML`) so
// that `deno bundle` and `deno compile` carry it inside the program; the
// import names the file literally for the same reason. Until that page
// exists a small placeholder is served.
const PLACEHOLDER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Warren</title></head>
<body><h1>Warren</h1><p>The management UI is not built into this program.
The HTTP API is at <a href="/api/overview">/api/overview</a>.</p></body></html>
`;

export async function loadUiPage(): Promise<string> {
  try {
    const page = await import("./ui/page.ts");
    if (typeof page.UI_HTML === "string") return page.UI_HTML;
  } catch {
    // ui/page.ts not there (yet): serve the placeholder.
  }
  return PLACEHOLDER_HTML;
}
