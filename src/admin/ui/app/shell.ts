// The frame around every page: the login form, the header (node, vhost
// filter, refresh period, user), the tabs, the router over "#/<view>/<args>"
// and the refresh loop that calls the shown view's refresh().
import { api, ApiError, errText } from "./api.ts";
import { hooks, loadVhosts, type Mount, type View } from "./app.ts";
import { clear, field, h, note, say, select, setOptions } from "./dom.ts";
import { tagList } from "./format.ts";
import { encodeAuth, forgetLogin, saveLogin, saveRefresh, saveVhost, session } from "./session.ts";
import type { Overview } from "./types.ts";

export const TABS: [string, string][] = [
  ["overview", "Overview"],
  ["connections", "Connections"],
  ["channels", "Channels"],
  ["exchanges", "Exchanges"],
  ["queues", "Queues"],
  ["bindings", "Bindings"],
  ["users", "Users"],
  ["vhosts", "Virtual hosts"],
  ["permissions", "Permissions"],
  ["policies", "Policies"],
  ["shovels", "Shovels"],
];

/** Detail pages and the tab they belong to. */
const DETAIL_TABS: Record<string, string> = {
  queue: "queues",
  exchange: "exchanges",
  connection: "connections",
  channel: "channels",
  user: "users",
  vhost: "vhosts",
};

interface Shell {
  filter: HTMLSelectElement;
  nodeInfo: HTMLElement;
  tabs: HTMLElement;
  banner: HTMLElement;
  view: HTMLElement;
}

interface WhoAmI {
  name: string;
  tags?: string[] | string;
}

const root = document.getElementById("app")!;
let views: Record<string, Mount> = {};
let shell: Shell | null = null;
let current: View | null = null;
let generation = 0;
let timer = 0;

export function start(all: Record<string, Mount>): void {
  views = all;
  hooks.refreshNow = refreshNow;
  hooks.showBanner = showBanner;
  addEventListener("hashchange", route);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refreshNow();
  });
  if (!session.auth) {
    showLogin();
    return;
  }
  api<WhoAmI>("GET", "/whoami").then(showApp, (e) => {
    forgetLogin();
    showLogin(e instanceof ApiError && e.status === 401 ? "Please log in again." : errText(e));
  });
}

/** What a failed login says, in words. */
function loginFailure(e: unknown): string {
  if (e instanceof ApiError && e.status === 401) {
    return /not management|not administrator|not monitor/i.test(e.message)
      ? "Login failed: this user may not use the management UI (" + e.message + ")."
      : "Login failed: the username or password is wrong.";
  }
  return "Login failed: " + errText(e);
}

function showLogin(message?: string): void {
  stopRefresh();
  shell = null;
  clear(root);
  const user = h("input", {
    type: "text",
    name: "username",
    autocomplete: "username",
    value: session.user,
    required: true,
  });
  const pass = h("input", {
    type: "password",
    name: "password",
    autocomplete: "current-password",
    required: true,
  });
  const msg = note();
  const button = h("button", { type: "submit", class: "primary" }, "Log in");
  const form = h(
    "form",
    {
      class: "login",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const auth = encodeAuth(user.value, pass.value);
        button.disabled = true;
        say(msg, "", "");
        try {
          const me = await api<WhoAmI>("GET", "/whoami", undefined, auth);
          saveLogin(auth, me?.name || user.value);
          showApp(me);
        } catch (err) {
          say(msg, "error", loginFailure(err));
          pass.select();
        } finally {
          button.disabled = false;
        }
      },
    },
    h("div", { class: "brand" }, h("span", { class: "logo" }, "W"), "Warren management"),
    field("Username", user),
    field("Password", pass),
    button,
    msg,
  );
  if (message) say(msg, "error", message);
  root.appendChild(h("div", { class: "login-wrap" }, form));
  (user.value ? pass : user).focus();
}

function logout(message?: string): void {
  forgetLogin();
  showLogin(message);
}

function showApp(me: WhoAmI): void {
  clear(root);
  const filter = h("select", {
    name: "vhost-filter",
    onchange: () => {
      saveVhost(filter.value);
      route();
    },
  });
  const refreshSel = select(
    "refresh",
    [["2000", "every 2 s"], ["5000", "every 5 s"], ["0", "paused"]],
    String(session.refreshMs),
  );
  refreshSel.addEventListener("change", () => {
    saveRefresh(Number(refreshSel.value));
    scheduleRefresh(generation);
  });
  const nodeInfo = h("span", { class: "node-info" });
  const tabs = h(
    "nav",
    { class: "tabs" },
    TABS.map(([id, label]) => h("a", { href: "#/" + id, "data-tab": id }, label)),
  );
  const banner = note();
  banner.classList.add("banner");
  const view = h("div", { id: "view" });
  const tags = tagList(me.tags);
  root.appendChild(h(
    "header",
    { class: "top" },
    h("div", { class: "brand" }, h("span", { class: "logo" }, "W"), "Warren"),
    nodeInfo,
    h("div", { class: "spacer" }),
    h("label", null, "Virtual host", filter),
    h("label", null, "Refresh", refreshSel),
    h(
      "span",
      { class: "who" },
      "User ",
      h("b", null, session.user),
      tags.length ? " (" + tags.join(", ") + ")" : "",
    ),
    h("button", { type: "button", class: "small", onclick: () => logout() }, "Log out"),
  ));
  root.appendChild(tabs);
  root.appendChild(h("main", null, banner, view));
  shell = { filter, nodeInfo, tabs, banner, view };
  syncVhosts().then(route, route);
  api<Overview>("GET", "/overview")
    .then(setNodeInfo, () => {});
}

/** The header's product and node line. */
export function setNodeInfo(o: Overview): void {
  if (!shell) return;
  const product = (o.product_name || "RabbitMQ") + " " + (o.product_version || o.rabbitmq_version || "");
  shell.nodeInfo.textContent = product.trim() + (o.node ? " on " + o.node : "") +
    (o.cluster_name && o.cluster_name !== o.node ? " (cluster " + o.cluster_name + ")" : "");
}

function showBanner(text: string): void {
  if (shell) say(shell.banner, text ? "error" : "", text);
}

async function syncVhosts(): Promise<void> {
  const names = await loadVhosts();
  if (!shell) return;
  setOptions(shell.filter, ["", ...names], (v) => v || "All");
  if (session.vhost && !names.includes(session.vhost)) saveVhost("");
  shell.filter.value = session.vhost;
}

function parseHash(): string[] {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return parts[0] ? parts : ["overview"];
}

function route(): void {
  if (!shell) return;
  const parts = parseHash();
  const name = views[parts[0]] ? parts[0] : "overview";
  const tab = DETAIL_TABS[name] ?? name;
  for (const a of shell.tabs.querySelectorAll("a")) a.classList.toggle("active", a.dataset.tab === tab);
  stopRefresh();
  showBanner("");
  clear(shell.view);
  const gen = ++generation;
  current = views[name](shell.view, parts.slice(1));
  const label = TABS.find(([id]) => id === tab)?.[1] ?? "Warren";
  document.title = label + " - Warren";
  tick(gen);
}

function stopRefresh(): void {
  generation++;
  clearTimeout(timer);
}

function scheduleRefresh(gen: number): void {
  clearTimeout(timer);
  if (gen !== generation || !session.refreshMs) return;
  timer = setTimeout(() => tick(gen), session.refreshMs);
}

function refreshNow(): void {
  if (!shell) return;
  const gen = ++generation;
  clearTimeout(timer);
  syncVhosts().catch(() => {});
  tick(gen);
}

async function tick(gen: number): Promise<void> {
  if (gen !== generation || !current) return;
  if (document.hidden) {
    scheduleRefresh(gen);
    return;
  }
  try {
    await current.refresh();
    if (gen === generation) showBanner("");
  } catch (e) {
    if (gen !== generation) return;
    if (e instanceof ApiError && e.status === 401) {
      const stillValid = await api("GET", "/whoami").then(() => true, () => false);
      if (!stillValid) {
        logout("Your login is no longer accepted; please log in again.");
        return;
      }
    }
    showBanner(errText(e));
  }
  scheduleRefresh(gen);
}
