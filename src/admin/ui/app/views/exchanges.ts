// Exchanges: a paged list with a declare form, and one exchange's page with
// its bindings both ways and a publish form.
import { api, ApiError, enc, items } from "../api.ts";
import { actionButton, run, vhostSelect, type View } from "../app.ts";
import { check, clear, crumbs, field, h, kvTable, note, panel, select, stat } from "../dom.ts";
import { badges, exchangeLabel, fmtArgs, kvLines, rateCell, rateOf, setRate, yesNo } from "../format.ts";
import { destinationLink, exchangeLink, vhostLink } from "../links.ts";
import { pagedList } from "../paged_list.ts";
import { session } from "../session.ts";
import { makeTable } from "../table.ts";
import type { Binding, Exchange } from "../types.ts";
import { publishForm } from "./publish.ts";

function deletable(x: Exchange): boolean {
  return x.name !== "" && !x.name.startsWith("amq.");
}

function deleteButton(x: Exchange, msg: HTMLElement, after?: () => void): HTMLButtonElement {
  return actionButton("Delete", msg, async () => {
    await api("DELETE", "/exchanges/" + enc(x.vhost) + "/" + enc(x.name));
    after?.();
  }, {
    question: "Delete exchange " + x.name + " in " + x.vhost + "?",
    ok: "Exchange " + x.name + " deleted.",
    danger: true,
  });
}

function addForm(): HTMLElement {
  const vh = vhostSelect();
  const name = h("input", { type: "text", name: "name", required: true, placeholder: "exchange name" });
  const type = select("type", ["direct", "fanout", "topic", "headers"], "direct");
  const durable = check("Durable", "durable", true);
  const autoDelete = check("Auto-delete", "auto_delete", false);
  const internal = check("Internal", "internal", false);
  const msg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Add exchange");
  const form = h(
    "form",
    {
      class: "inline",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const n = name.value.trim();
        const r = await run(btn, msg, () =>
          api("PUT", "/exchanges/" + enc(vh.value) + "/" + enc(n), {
            type: type.value,
            durable: durable.box.checked,
            auto_delete: autoDelete.box.checked,
            internal: internal.box.checked,
            arguments: {},
          }), "Exchange " + n + " declared in " + vh.value + ".");
        if (r !== undefined) name.value = "";
      },
    },
    field("Virtual host", vh),
    field("Name", name),
    field("Type", type),
    durable.el,
    autoDelete.el,
    internal.el,
    btn,
  );
  return h("details", { class: "panel add" }, h("summary", null, "Add an exchange"), form, msg);
}

export function viewExchanges(view: HTMLElement): View {
  const msg = note();
  const list = pagedList<Exchange>({
    id: "exchanges",
    path: () => session.vhost ? "/exchanges/" + enc(session.vhost) : "/exchanges",
    key: (x) => x.vhost + "\u0000" + x.name,
    noun: ["exchange", "exchanges"],
    empty: "No exchanges.",
    columns: [
      { id: "vhost", title: "Virtual host", sort: "vhost", render: (x) => x.vhost },
      { id: "name", title: "Name", cls: "name", sort: "name", render: (x) => exchangeLink(x.vhost, x.name) },
      { id: "type", title: "Type", sort: "type", render: (x) => x.type },
      { id: "features", title: "Features", render: (x) => badges(x, true) },
      {
        id: "in",
        title: "in",
        group: "Message rates",
        num: true,
        sort: "message_stats.publish_in_details.rate",
        render: (x) => rateCell(x.message_stats, "publish_in"),
      },
      {
        id: "out",
        title: "out",
        group: "Message rates",
        num: true,
        sort: "message_stats.publish_out_details.rate",
        render: (x) => rateCell(x.message_stats, "publish_out"),
      },
      {
        id: "actions",
        title: "",
        render: (x) => deletable(x) ? h("div", { class: "actions" }, deleteButton(x, msg)) : "",
      },
    ],
  });
  const p = panel("Exchanges", list.count);
  p.append(list.el, msg);
  view.append(p, addForm());
  return list;
}

function bindingTable(side: "source" | "destination") {
  return makeTable<Binding>([
    side === "source"
      ? {
        id: "to",
        title: "To",
        cls: "name",
        render: (b) => destinationLink(b.vhost, b.destination_type, b.destination),
      }
      : { id: "from", title: "From exchange", cls: "name", render: (b) => exchangeLink(b.vhost, b.source) },
    { id: "key", title: "Routing key", cls: "mono", render: (b) => b.routing_key },
    { id: "args", title: "Arguments", render: (b) => fmtArgs(b.arguments) },
  ], {
    key: (b) =>
      [b.source, b.destination_type, b.destination, b.properties_key ?? b.routing_key].join("\u0000"),
    empty: "No bindings.",
  });
}

export function viewExchange(view: HTMLElement, args: string[]): View {
  const vhost = args[0] || "/";
  const name = args.slice(1).join("/");
  const path = "/exchanges/" + enc(vhost) + "/" + enc(name);
  const msg = note();
  const actions = h("div", { class: "actions" });
  view.append(
    crumbs("#/exchanges", "Exchanges", vhost),
    h(
      "div",
      { class: "title-row" },
      h(
        "h1",
        null,
        "Exchange ",
        h("span", { class: "mono" }, exchangeLabel(name === "amq.default" ? "" : name)),
      ),
      actions,
    ),
    msg,
  );
  const rateIn = stat("In");
  const rateOut = stat("Out");
  view.appendChild(h("div", { class: "stats cols5" }, rateIn.el, rateOut.el));
  const info = h("div");
  const infoPanel = panel("Details");
  infoPanel.appendChild(info);
  const from = bindingTable("source");
  const to = bindingTable("destination");
  const fromPanel = panel("Bindings from this exchange");
  fromPanel.appendChild(from.el);
  const toPanel = panel("Bindings to this exchange");
  toPanel.appendChild(to.el);
  const top = h("div", { class: "grid2" }, infoPanel, h("div", { class: "stack" }, fromPanel, toPanel));
  top.style.margin = "16px 0";
  view.appendChild(top);
  view.appendChild(publishForm(vhost, name === "amq.default" ? "" : name, null));

  return {
    async refresh() {
      let x: Exchange;
      try {
        x = await api<Exchange>("GET", path);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          throw new ApiError(404, "Exchange " + name + " does not exist in virtual host " + vhost + ".");
        }
        throw e;
      }
      if (!actions.firstChild && deletable(x)) {
        actions.appendChild(deleteButton(x, msg, () => location.hash = "#/exchanges"));
      }
      setRate(rateIn.value, rateOf(x.message_stats, "publish_in"));
      setRate(rateOut.value, rateOf(x.message_stats, "publish_out"));
      clear(info);
      const feats = badges(x, true);
      info.appendChild(kvTable([
        ["Virtual host", vhostLink(x.vhost)],
        ["Type", x.type],
        ["Features", feats.length ? feats : "none"],
        ["Durable", yesNo(x.durable)],
        ["Auto-delete", yesNo(x.auto_delete)],
        ["Internal", yesNo(x.internal)],
        ["Arguments", kvLines(x.arguments)],
        [
          "Policy",
          x.policy ? h("a", { href: "#/policies" }, x.policy) : h("span", { class: "muted" }, "none"),
        ],
      ]));
      from.update(items(await api<Binding[]>("GET", path + "/bindings/source")));
      to.update(items(await api<Binding[]>("GET", path + "/bindings/destination")));
    },
  };
}
