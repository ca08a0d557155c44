// The node's ctl secret, like Erlang's cookie: a random token in
// <data-dir>/ctl.secret, readable only by the OS user running the node. The
// admin API accepts it from loopback as `Authorization: Bearer <secret>`,
// which is how `warren ctl` reaches the node without a password.

const CTL_SECRET_FILE = "ctl.secret";
const SECRET_BYTES = 32;

export function ctlSecretPath(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "") || "/"}/${CTL_SECRET_FILE}`;
}

function isValidSecret(s: string): boolean {
  return /^[A-Za-z0-9_-]{32,}$/.test(s);
}

/**
 * The existing secret (kept across restarts, like a cookie) or a new one,
 * written atomically with mode 0600. Throws when the data dir is unusable.
 */
export function ensureCtlSecret(dataDir: string): string {
  const path = ctlSecretPath(dataDir);
  try {
    const existing = Deno.readTextFileSync(path).trim();
    if (isValidSecret(existing)) {
      Deno.chmodSync(path, 0o600);
      return existing;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  Deno.mkdirSync(dataDir, { recursive: true });
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  const secret = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
  const tmp = `${path}.tmp-${Deno.pid}`;
  Deno.writeTextFileSync(tmp, secret + "\n", { mode: 0o600 });
  Deno.chmodSync(tmp, 0o600);
  Deno.renameSync(tmp, path);
  return secret;
}

/** The secret for ctl to present; null when the file is missing or unreadable. */
export function readCtlSecret(dataDir: string): string | null {
  try {
    const s = Deno.readTextFileSync(ctlSecretPath(dataDir)).trim();
    return isValidSecret(s) ? s : null;
  } catch {
    return null;
  }
}
