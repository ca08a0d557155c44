// Bindings: a paged list (filtered on source and destination names) and a
// form to add one.
import { api, enc, items } from "../api.ts";
import { actionButton, run, vhostSelect, type View } from "../app.ts";
import { field, h, note, panel, select, setOptions } from "../dom.ts";
import { fmtArgs } from "../format.ts";
import { destinationLink, exchangeLink } from "../links.ts";
import { pagedList } from "../paged_list.ts";
import { session } from "../session.ts";
import type { Binding, Exchange, Queue } from "../types.ts";

function unbindButton(b: Binding, msg: HTMLElement): HTMLButtonElement {
  const kind = b.destination_type === "exchange" ? "e" : "q";
  const key = b.properties_key ?? (b.routing_key || "~");
  return actionButton("Unbind", msg, () =>
    api(
      "DELETE",
      "/bindings/" + enc(b.vhost) + "/e/" + enc(b.source) + "/" + kind + "/" + enc(b.destination) + "/" +
        enc(key),
    ), { ok: "Binding removed.", danger: true });
}

export function viewBindings(view: HTMLElement): View {
  const msg = note();
  const list = pagedList<Binding>({
    id: "bindings",
    path: () => session.vhost ? "/bindings/" + enc(session.vhost) : "/bindings",
    key: (b) =>
      [b.vhost, b.source, b.destination_type, b.destination, b.properties_key ?? b.routing_key].join(
        "\u0000",
      ),
    noun: ["binding", "bindings"],
    empty: "No bindings.",
    columns: [
      { id: "vhost", title: "Virtual host", sort: "vhost", render: (b) => b.vhost },
      {
        id: "source",
        title: "Source exchange",
        sort: "source",
        render: (b) => exchangeLink(b.vhost, b.source),
      },
      {
        id: "destination",
        title: "Destination",
        cls: "name",
        sort: "destination",
        render: (b) => destinationLink(b.vhost, b.destination_type, b.destination),
      },
      { id: "type", title: "Type", sort: "destination_type", render: (b) => b.destination_type },
      { id: "key", title: "Routing key", cls: "mono", sort: "routing_key", render: (b) => b.routing_key },
      { id: "args", title: "Arguments", render: (b) => fmtArgs(b.arguments) },
      {
        id: "actions",
        title: "",
        render: (b) => b.source === "" ? "" : h("div", { class: "actions" }, unbindButton(b, msg)),
      },
    ],
  });
  const p = panel("Bindings", list.count);
  p.append(list.el, msg);

  const vh = vhostSelect();
  const source = h("input", {
    type: "text",
    name: "source",
    required: true,
    placeholder: "exchange",
    list: "exchange-names",
  });
  const destType = select("destination_type", [["q", "Queue"], ["e", "Exchange"]], "q");
  const dest = h("input", {
    type: "text",
    name: "destination",
    required: true,
    placeholder: "queue or exchange",
    list: "queue-names",
  });
  const key = h("input", { type: "text", name: "routing_key", placeholder: "routing key" });
  const exNames = h("datalist", { id: "exchange-names" });
  const qNames = h("datalist", { id: "queue-names" });
  destType.addEventListener("change", () => {
    dest.setAttribute("list", destType.value === "q" ? "queue-names" : "exchange-names");
  });
  const addMsg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Bind");
  const form = h(
    "form",
    {
      class: "inline",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const s = source.value.trim(), d = dest.value.trim();
        run(
          btn,
          addMsg,
          () =>
            api("POST", "/bindings/" + enc(vh.value) + "/e/" + enc(s) + "/" + destType.value + "/" + enc(d), {
              routing_key: key.value,
              arguments: {},
            }),
          "Bound " + d + " to " + s + ".",
        );
      },
    },
    field("Virtual host", vh),
    field("From exchange", source),
    field("To", destType),
    field("Name", dest),
    field("Routing key", key),
    btn,
    exNames,
    qNames,
  );
  view.append(p, h("details", { class: "panel add" }, h("summary", null, "Add a binding"), form, addMsg));

  // Name suggestions for the form: the first page of each, enough to type ahead.
  const suggest = "?page=1&page_size=100&columns=name";
  return {
    async refresh() {
      await list.refresh();
      if (!vh.value) return;
      const xs = items(await api<{ items: Exchange[] }>("GET", "/exchanges/" + enc(vh.value) + suggest));
      setOptions(exNames, xs.map((x) => x.name).filter(Boolean));
      const qs = items(await api<{ items: Queue[] }>("GET", "/queues/" + enc(vh.value) + suggest));
      setOptions(qNames, qs.map((q) => q.name));
    },
  };
}
