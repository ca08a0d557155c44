// Channels: a paged list, and one channel's page with its consumers and
// message rates.
import { api, ApiError, enc } from "../api.ts";
import type { View } from "../app.ts";
import { clear, crumbs, h, kvTable, panel, stat } from "../dom.ts";
import { countOf, fmtInt, rateCell, rateOf, setRate, stateCell, yesNo } from "../format.ts";
import { channelLink, connectionLink, queueLink, userLink, vhostLink } from "../links.ts";
import { pagedList } from "../paged_list.ts";
import { session } from "../session.ts";
import { type Column, makeTable } from "../table.ts";
import type { Channel, Consumer } from "../types.ts";

function mode(c: Channel): string {
  return [c.confirm ? "confirm" : "", c.transactional ? "tx" : ""].filter(Boolean).join(", ");
}

export function channelColumns(): Column<Channel>[] {
  const rate = (id: string, title: string, key: string): Column<Channel> => ({
    id,
    title,
    group: "Message rates",
    num: true,
    sort: "message_stats." + key + "_details.rate",
    render: (c) => rateCell(c.message_stats, key),
  });
  return [
    { id: "vhost", title: "Virtual host", sort: "vhost", render: (c) => c.vhost },
    { id: "name", title: "Channel", cls: "name", sort: "name", render: (c) => channelLink(c.name) },
    { id: "user", title: "User", sort: "user", render: (c) => c.user },
    { id: "mode", title: "Mode", render: mode },
    { id: "state", title: "State", sort: "state", render: (c) => stateCell(c.state) },
    {
      id: "prefetch",
      title: "Prefetch",
      num: true,
      sort: "prefetch_count",
      render: (c) => c.prefetch_count ? fmtInt(c.prefetch_count) : "",
    },
    {
      id: "consumers",
      title: "Consumers",
      num: true,
      sort: "consumer_count",
      render: (c) => fmtInt(c.consumer_count ?? 0),
    },
    {
      id: "unacked",
      title: "Unacked",
      num: true,
      sort: "messages_unacknowledged",
      render: (c) => fmtInt(c.messages_unacknowledged ?? 0),
    },
    rate("publish", "publish", "publish"),
    rate("confirm", "confirm", "confirm"),
    rate("deliver", "deliver / get", "deliver_get"),
    rate("ack", "ack", "ack"),
  ];
}

export function viewChannels(view: HTMLElement): View {
  const list = pagedList<Channel>({
    id: "channels",
    path: () => session.vhost ? "/vhosts/" + enc(session.vhost) + "/channels" : "/channels",
    key: (c) => c.name,
    noun: ["channel", "channels"],
    empty: "No channels.",
    sort: "name",
    columns: channelColumns(),
  });
  const p = panel("Channels", list.count);
  p.appendChild(list.el);
  view.appendChild(p);
  return list;
}

const RATES: [string, string][] = [
  ["publish", "Publish"],
  ["confirm", "Confirm"],
  ["deliver_get", "Deliver / get"],
  ["ack", "Ack"],
  ["redeliver", "Redeliver"],
];

export function viewChannel(view: HTMLElement, args: string[]): View {
  const name = args.join("/");
  const path = "/channels/" + enc(name);
  view.append(
    crumbs("#/channels", "Channels"),
    h("div", { class: "title-row" }, h("h1", null, "Channel ", h("span", { class: "mono" }, name))),
  );
  const rates: Record<string, HTMLElement> = {};
  view.appendChild(h(
    "div",
    { class: "stats cols5" },
    RATES.map(([k, label]) => {
      const s = stat(label);
      rates[k] = s.value;
      return s.el;
    }),
  ));
  const info = h("div");
  const infoPanel = panel("Details");
  infoPanel.appendChild(info);
  const consumers = makeTable<Consumer>([
    { id: "tag", title: "Consumer tag", cls: "name", render: (c) => c.consumer_tag },
    { id: "queue", title: "Queue", render: (c) => c.queue ? queueLink(c.queue.vhost, c.queue.name) : "" },
    { id: "ack", title: "Ack required", render: (c) => yesNo(c.ack_required) },
    { id: "exclusive", title: "Exclusive", render: (c) => yesNo(c.exclusive) },
    { id: "prefetch", title: "Prefetch", num: true, render: (c) => fmtInt(c.prefetch_count ?? 0) },
  ], { key: (c) => c.consumer_tag, empty: "No consumers." });
  const consPanel = panel("Consumers");
  consPanel.appendChild(consumers.el);
  const top = h("div", { class: "grid2" }, infoPanel, consPanel);
  top.style.marginTop = "16px";
  view.appendChild(top);

  return {
    async refresh() {
      let c: Channel;
      try {
        c = await api<Channel>("GET", path);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          throw new ApiError(404, "Channel " + name + " is closed.");
        }
        throw e;
      }
      for (const [k] of RATES) setRate(rates[k], rateOf(c.message_stats, k));
      const ms = c.message_stats;
      clear(info);
      info.appendChild(kvTable([
        ["Connection", c.connection_details?.name ? connectionLink(c.connection_details.name) : ""],
        ["Virtual host", vhostLink(c.vhost)],
        ["User", userLink(c.user)],
        ["State", stateCell(c.state)],
        ["Mode", mode(c) || "none"],
        ["Prefetch", fmtInt(c.prefetch_count ?? 0)],
        ["Global prefetch", fmtInt(c.global_prefetch_count ?? 0)],
        ["Unacked", fmtInt(c.messages_unacknowledged ?? 0)],
        ["Unconfirmed", fmtInt(c.messages_unconfirmed ?? 0)],
        ["Published", fmtInt(countOf(ms, "publish"))],
        ["Confirmed", fmtInt(countOf(ms, "confirm"))],
        ["Delivered / got", fmtInt(countOf(ms, "deliver_get"))],
        ["Acked", fmtInt(countOf(ms, "ack"))],
      ]));
      consumers.update(c.consumer_details ?? []);
    },
  };
}
