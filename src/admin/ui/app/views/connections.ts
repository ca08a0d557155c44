// Connections: a paged list, and one connection's page with its
// client-provided name, client properties and channels.
import { api, ApiError, enc, items } from "../api.ts";
import { actionButton, type View } from "../app.ts";
import { type Child, clear, crumbs, h, kvTable, note, panel } from "../dom.ts";
import { details, fmtBytes, fmtInt, stateCell, yesNo } from "../format.ts";
import { connectionLink, userLink, vhostLink } from "../links.ts";
import { pagedList } from "../paged_list.ts";
import { session } from "../session.ts";
import { makeTable } from "../table.ts";
import type { Args, Channel, Connection } from "../types.ts";
import { channelColumns } from "./channels.ts";

function clientName(props: Args | undefined): string {
  if (!props) return "";
  const parts = [props.product, props.version].filter((p) => typeof p === "string" && p) as string[];
  if (parts.length === 0 && typeof props.platform === "string") parts.push(props.platform);
  return parts.join(" ");
}

/** The name the client gave its connection (amqplib, pika and others send `connection_name`). */
export function providedName(c: Connection): string {
  const n = c.user_provided_name ?? c.client_properties?.connection_name;
  return typeof n === "string" ? n : "";
}

function byteRate(c: Connection, key: "recv_oct" | "send_oct"): string {
  const d = details(c, key);
  return d ? fmtBytes(d.rate) + "/s" : "";
}

function closeButton(c: Connection, msg: HTMLElement, after?: () => void): HTMLButtonElement {
  return actionButton("Close", msg, async () => {
    await api("DELETE", "/connections/" + enc(c.name));
    after?.();
  }, { question: "Close connection " + c.name + "?", ok: "Connection closed.", danger: true });
}

export function viewConnections(view: HTMLElement): View {
  const msg = note();
  const list = pagedList<Connection>({
    id: "connections",
    path: () => session.vhost ? "/vhosts/" + enc(session.vhost) + "/connections" : "/connections",
    key: (c) => c.name,
    noun: ["connection", "connections"],
    empty: "No connections.",
    sort: "name",
    columns: [
      { id: "vhost", title: "Virtual host", sort: "vhost", render: (c) => c.vhost },
      { id: "name", title: "Name", cls: "name", sort: "name", render: (c) => connectionLink(c.name) },
      { id: "provided", title: "Client-provided name", sort: "user_provided_name", render: providedName },
      { id: "user", title: "User", sort: "user", render: (c) => c.user },
      { id: "state", title: "State", sort: "state", render: (c) => stateCell(c.state) },
      { id: "tls", title: "TLS", sort: "ssl", render: (c) => c.ssl ? "yes" : "" },
      { id: "protocol", title: "Protocol", sort: "protocol", render: (c) => c.protocol ?? "" },
      { id: "client", title: "Client", render: (c) => clientName(c.client_properties) },
      {
        id: "channels",
        title: "Channels",
        num: true,
        sort: "channels",
        render: (c) => fmtInt(c.channels ?? 0),
      },
      {
        id: "recv",
        title: "From client",
        num: true,
        sort: "recv_oct_details.rate",
        render: (c) => byteRate(c, "recv_oct"),
      },
      {
        id: "send",
        title: "To client",
        num: true,
        sort: "send_oct_details.rate",
        render: (c) => byteRate(c, "send_oct"),
      },
      { id: "actions", title: "", render: (c) => h("div", { class: "actions" }, closeButton(c, msg)) },
    ],
  });
  const p = panel("Connections", list.count);
  p.append(list.el, msg);
  view.appendChild(p);
  return list;
}

/** Client properties as nested key / value lines (capabilities is a table of flags). */
function propsTable(props: Args | undefined): HTMLElement {
  const entries: Args = props ?? {};
  const keys = Object.keys(entries);
  if (keys.length === 0) return h("span", { class: "muted" }, "none");
  return h(
    "table",
    { class: "kv nested" },
    keys.sort().map((k) => {
      const v = entries[k];
      const shown: Child = v && typeof v === "object" && !Array.isArray(v)
        ? propsTable(v as Args)
        : h("span", { class: "mono" }, typeof v === "string" ? v : JSON.stringify(v));
      return h("tr", null, h("th", null, k), h("td", null, shown));
    }),
  );
}

export function viewConnection(view: HTMLElement, args: string[]): View {
  const name = args.join("/");
  const path = "/connections/" + enc(name);
  const msg = note();
  const title = h("span", { class: "mono" }, name);
  const actions = h("div", { class: "actions" });
  view.append(
    crumbs("#/connections", "Connections"),
    h("div", { class: "title-row" }, h("h1", null, "Connection ", title), actions),
    msg,
  );
  const info = h("div");
  const props = h("div");
  const infoPanel = panel("Details");
  infoPanel.appendChild(info);
  const propsPanel = panel("Client properties");
  propsPanel.appendChild(props);
  const channels = makeTable(channelColumns(), { key: (c) => c.name, empty: "No channels." });
  const chPanel = panel("Channels");
  chPanel.appendChild(channels.el);
  view.append(h("div", { class: "grid2" }, infoPanel, propsPanel), chPanel);

  return {
    async refresh() {
      let c: Connection;
      try {
        c = await api<Connection>("GET", path);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          throw new ApiError(404, "Connection " + name + " is closed.");
        }
        throw e;
      }
      if (!actions.firstChild) {
        actions.appendChild(closeButton(c, msg, () => location.hash = "#/connections"));
      }
      clear(info);
      info.appendChild(kvTable([
        ["Client-provided name", providedName(c)],
        ["Virtual host", vhostLink(c.vhost)],
        ["User", userLink(c.user)],
        ["State", stateCell(c.state)],
        ["Protocol", c.protocol],
        ["TLS", yesNo(c.ssl)],
        ["Authentication", c.auth_mechanism],
        ["Client address", c.peer_host !== undefined ? c.peer_host + ":" + c.peer_port : ""],
        ["Server address", c.host !== undefined ? c.host + ":" + c.port : ""],
        ["Heartbeat", c.timeout !== undefined ? c.timeout + " s" : ""],
        ["Frame max", c.frame_max !== undefined ? fmtInt(c.frame_max) + " bytes" : ""],
        ["Channel max", c.channel_max !== undefined ? fmtInt(c.channel_max) : ""],
        ["Connected at", c.connected_at ? new Date(c.connected_at).toLocaleString() : ""],
        [
          "Received",
          c.recv_oct !== undefined ? fmtBytes(c.recv_oct) + " (" + byteRate(c, "recv_oct") + ")" : "",
        ],
        ["Sent", c.send_oct !== undefined ? fmtBytes(c.send_oct) + " (" + byteRate(c, "send_oct") + ")" : ""],
      ]));
      clear(props);
      props.appendChild(propsTable(c.client_properties));
      channels.update(items(await api<Channel[]>("GET", path + "/channels")));
    },
  };
}
