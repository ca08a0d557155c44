// Virtual hosts: the list with a form to add one, and a vhost's page with
// its message counts, history and permissions.
import { api, ApiError, enc, items } from "../api.ts";
import { actionButton, run, type View } from "../app.ts";
import { HISTORY_QUERY } from "../chart.ts";
import { clear, crumbs, field, h, kvTable, note, panel, stat } from "../dom.ts";
import { fmtInt, plural, rateCell, rateOf, setRate } from "../format.ts";
import { vhostLink } from "../links.ts";
import { makeTable } from "../table.ts";
import type { Permission, Vhost } from "../types.ts";
import { messageCharts } from "./overview.ts";
import { permissionColumns } from "./users.ts";

function deleteButton(v: Vhost, msg: HTMLElement, after?: () => void): HTMLButtonElement {
  return actionButton("Delete", msg, async () => {
    await api("DELETE", "/vhosts/" + enc(v.name));
    after?.();
  }, {
    question: "Delete virtual host " + v.name + " and everything in it?",
    ok: "Virtual host " + v.name + " deleted.",
    danger: true,
  });
}

export function viewVhosts(view: HTMLElement): View {
  const count = h("span", { class: "count" });
  const p = panel("Virtual hosts", count);
  const msg = note();
  const table = makeTable<Vhost>([
    { id: "name", title: "Name", cls: "name", render: (v) => vhostLink(v.name) },
    { id: "description", title: "Description", render: (v) => v.description ?? "" },
    {
      id: "ready",
      title: "Ready",
      group: "Messages",
      num: true,
      render: (v) => fmtInt(v.messages_ready ?? 0),
    },
    {
      id: "unacked",
      title: "Unacked",
      group: "Messages",
      num: true,
      render: (v) => fmtInt(v.messages_unacknowledged ?? 0),
    },
    { id: "total", title: "Total", group: "Messages", num: true, render: (v) => fmtInt(v.messages ?? 0) },
    {
      id: "publish",
      title: "publish",
      group: "Message rates",
      num: true,
      render: (v) => rateCell(v.message_stats, "publish"),
    },
    {
      id: "deliver",
      title: "deliver / get",
      group: "Message rates",
      num: true,
      render: (v) => rateCell(v.message_stats, "deliver_get"),
    },
    { id: "actions", title: "", render: (v) => h("div", { class: "actions" }, deleteButton(v, msg)) },
  ], { key: (v) => v.name, empty: "No virtual hosts." });
  p.append(table.el, msg);

  const add = panel("Add a virtual host");
  const name = h("input", { type: "text", name: "name", required: true, autocomplete: "off" });
  const desc = h("input", { type: "text", name: "description", placeholder: "optional", size: "30" });
  const addMsg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Add virtual host");
  add.appendChild(h(
    "form",
    {
      class: "inline",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const n = name.value.trim();
        const body: Record<string, string> = {};
        if (desc.value.trim()) body.description = desc.value.trim();
        const r = await run(
          btn,
          addMsg,
          () => api("PUT", "/vhosts/" + enc(n), body),
          "Virtual host " + n + " created.",
        );
        if (r !== undefined) name.value = desc.value = "";
      },
    },
    field("Name", name),
    field("Description", desc),
    btn,
  ));
  add.appendChild(addMsg);
  view.append(p, add);

  return {
    async refresh() {
      const list = items(await api<Vhost[]>("GET", "/vhosts"));
      list.sort((a, b) => a.name.localeCompare(b.name));
      count.textContent = plural(list.length, "virtual host");
      table.update(list);
    },
  };
}

const COUNTS: ["messages_ready" | "messages_unacknowledged" | "messages", string][] = [
  ["messages_ready", "Ready"],
  ["messages_unacknowledged", "Unacked"],
  ["messages", "Total"],
];
const RATES: [string, string][] = [["publish", "Publish"], ["deliver_get", "Deliver / get"], ["ack", "Ack"]];

export function viewVhost(view: HTMLElement, args: string[]): View {
  const name = args.join("/");
  const path = "/vhosts/" + enc(name);
  const msg = note();
  view.append(
    crumbs("#/vhosts", "Virtual hosts"),
    h(
      "div",
      { class: "title-row" },
      h("h1", null, "Virtual host ", h("span", { class: "mono" }, name)),
      h("div", { class: "actions" }, deleteButton({ name }, msg, () => location.hash = "#/vhosts")),
    ),
    msg,
  );
  const tiles: Record<string, HTMLElement> = {};
  view.appendChild(h(
    "div",
    { class: "stats cols6" },
    [...COUNTS, ...RATES].map(([k, label]) => {
      const s = stat(label);
      tiles[k] = s.value;
      return s.el;
    }),
  ));
  const charts = messageCharts();
  const info = h("div");
  const infoPanel = panel("Details");
  infoPanel.appendChild(info);
  const perms = makeTable<Permission>(permissionColumns("user"), {
    key: (x) => x.user,
    empty: "No permissions.",
  });
  const permPanel = panel("Permissions");
  permPanel.appendChild(perms.el);
  view.append(
    charts.el,
    h("div", { class: "grid2" }, infoPanel, permPanel),
  );

  return {
    async refresh() {
      let v: Vhost;
      try {
        v = await api<Vhost>("GET", path + "?" + HISTORY_QUERY);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          throw new ApiError(404, "There is no virtual host " + name + ".");
        }
        throw e;
      }
      for (const [k] of COUNTS) tiles[k].textContent = fmtInt(v[k] ?? 0);
      for (const [k] of RATES) setRate(tiles[k], rateOf(v.message_stats, k));
      charts.queued.draw(v);
      charts.rates.draw(v.message_stats);
      clear(info);
      info.appendChild(kvTable([
        ["Name", v.name],
        ["Description", v.description || h("span", { class: "muted" }, "none")],
      ]));
      perms.update(items(await api<Permission[]>("GET", path + "/permissions")));
    },
  };
}
