// What every view shares with the shell: a refresh after an action, the
// banner for errors, and the virtual host selects that follow the list of
// vhosts. The shell fills in the hooks when it starts, so views never
// import the shell.
import { api, errText, items } from "./api.ts";
import { h, say, setOptions } from "./dom.ts";
import { session } from "./session.ts";
import type { Vhost } from "./types.ts";

/** A mounted page: the shell calls refresh() on every tick while it is shown. */
export interface View {
  refresh(): Promise<void>;
}

export type Mount = (el: HTMLElement, args: string[]) => View;

export const hooks = {
  refreshNow: (): void => {},
  showBanner: (_text: string): void => {},
};

export const vhosts = {
  names: [] as string[],
  selects: [] as HTMLSelectElement[],
};

export async function loadVhosts(): Promise<string[]> {
  const list = items(await api<Vhost[]>("GET", "/vhosts?columns=name"));
  vhosts.names = list.map((v) => v.name).sort();
  vhosts.selects = vhosts.selects.filter((s) => s.isConnected);
  for (const s of vhosts.selects) fillVhostSelect(s);
  return vhosts.names;
}

/** A <select> of virtual hosts that follows the list as vhosts come and go. */
export function vhostSelect(name = "vhost"): HTMLSelectElement {
  const s = h("select", { name });
  vhosts.selects.push(s);
  fillVhostSelect(s);
  return s;
}

function fillVhostSelect(s: HTMLSelectElement): void {
  const fresh = s.options.length === 0;
  setOptions(s, vhosts.names);
  const preferred = session.vhost || "/";
  if (fresh && vhosts.names.includes(preferred)) s.value = preferred;
}

/**
 * Runs an action from a button: disables it meanwhile, says how it went under
 * the form (or in the banner), and refreshes the page. Resolves to the
 * action's result, or undefined when it failed.
 */
export async function run<T>(
  button: HTMLButtonElement | null,
  msgEl: HTMLElement | null,
  fn: () => Promise<T>,
  okText?: string | ((r: T) => string),
): Promise<T | undefined> {
  if (button) button.disabled = true;
  if (msgEl) say(msgEl, "", "");
  try {
    const r = await fn();
    if (msgEl && okText) say(msgEl, "ok", typeof okText === "function" ? okText(r) : okText);
    hooks.refreshNow();
    return r;
  } catch (e) {
    if (msgEl) say(msgEl, "error", errText(e));
    else hooks.showBanner(errText(e));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** A small action button that asks first (when `question` is given) and then runs `fn`. */
export function actionButton(
  label: string,
  msgEl: HTMLElement,
  fn: () => Promise<unknown>,
  opts: { question?: string; ok?: string; danger?: boolean; small?: boolean } = {},
): HTMLButtonElement {
  const cls = [opts.small === false ? "" : "small", opts.danger ? "danger" : ""].join(" ").trim();
  const b = h("button", {
    type: "button",
    class: cls,
    onclick: () => {
      if (opts.question && !confirm(opts.question)) return;
      run(b, msgEl, fn, opts.ok);
    },
  }, label);
  return b;
}
