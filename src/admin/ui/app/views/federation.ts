// Federation: the upstreams (runtime parameters of component
// federation-upstream) with a form to add one, and the links running for
// them (/api/federation-links), each with its state, the upstream URI
// without credentials and what it has moved. Which exchanges and queues are
// federated is a policy's business (federation-upstream or
// federation-upstream-set), set on the Policies page.
import { api, enc, items } from "../api.ts";
import { actionButton, run, vhostSelect, type View } from "../app.ts";
import { field, h, note, panel, say, select } from "../dom.ts";
import { fmtInt, stateCell } from "../format.ts";
import { session } from "../session.ts";
import { makeTable } from "../table.ts";
import type { FederationLink, UpstreamParameter } from "../types.ts";

/** Credentials never shown: amqp://user:secret@host → amqp://host. */
function maskUri(uri: string): string {
  return uri.replace(/(amqps?:\/\/)[^@/]*@/g, "$1");
}

function uris(v: Record<string, unknown>): string {
  const u = v.uri;
  return maskUri(Array.isArray(u) ? u.join(", ") : String(u ?? ""));
}

export function viewFederation(view: HTMLElement): View {
  const upCount = h("span", { class: "count" });
  const ups = panel("Federation upstreams", upCount);
  const msg = note();
  const path = (x: UpstreamParameter) => enc(x.vhost) + "/" + enc(x.name);
  const upTable = makeTable<UpstreamParameter>([
    { id: "vhost", title: "Virtual host", render: (x) => x.vhost },
    { id: "name", title: "Name", cls: "name", render: (x) => x.name },
    { id: "uri", title: "URI", cls: "mono", render: (x) => uris(x.value) },
    {
      id: "from",
      title: "Upstream exchange / queue",
      render: (x) => [x.value.exchange, x.value.queue].filter((s) => typeof s === "string").join(" / "),
    },
    { id: "hops", title: "Max hops", num: true, render: (x) => String(x.value["max-hops"] ?? 1) },
    { id: "ack", title: "Ack mode", render: (x) => String(x.value["ack-mode"] ?? "on-confirm") },
    {
      id: "actions",
      title: "",
      render: (x) =>
        h(
          "div",
          { class: "actions" },
          actionButton("Delete", msg, () => api("DELETE", "/parameters/federation-upstream/" + path(x)), {
            question: "Delete upstream " + x.name + " in " + x.vhost + "? Its links stop.",
            ok: "Upstream " + x.name + " deleted.",
            danger: true,
          }),
        ),
    },
  ], { key: (x) => x.vhost + "\u0000" + x.name, empty: "No upstreams." });
  ups.append(
    upTable.el,
    h(
      "p",
      { class: "muted note" },
      "An exchange or queue is federated from its upstreams by a policy with federation-upstream " +
        '(one upstream) or federation-upstream-set ("all": every upstream of the virtual host).',
    ),
    msg,
  );

  const linkCount = h("span", { class: "count" });
  const links = panel("Links", linkCount);
  const linkTable = makeTable<FederationLink>([
    { id: "vhost", title: "Virtual host", render: (l) => l.vhost },
    { id: "type", title: "Type", render: (l) => l.type },
    { id: "name", title: "Exchange / queue", cls: "name", render: (l) => l.exchange ?? l.queue ?? "" },
    { id: "upstream", title: "Upstream", render: (l) => l.upstream },
    { id: "state", title: "State", render: (l) => stateCell(l.status) },
    { id: "uri", title: "URI", cls: "mono", render: (l) => l.uri ?? "" },
    {
      id: "moved",
      title: "Moved",
      num: true,
      render: (l) => l.messages_forwarded === undefined ? "" : fmtInt(l.messages_forwarded),
    },
    { id: "since", title: "Since", render: (l) => l.timestamp + (l.error ? " — " + l.error : "") },
  ], { key: (l) => l.id, empty: "No links." });
  links.append(linkTable.el);

  const add = panel("Add an upstream");
  const vh = vhostSelect();
  const text = (name: string, placeholder = "", size = "24") =>
    h("input", { type: "text", name, placeholder, size, autocomplete: "off", class: "mono" });
  const name = text("upstream-name", "", "16");
  const uri = text("uri", "amqp://user:password@central:5672/%2f", "36");
  const exchange = text("upstream-exchange", "same name", "16");
  const queue = text("upstream-queue", "same name", "16");
  const expires = text("expires", "ms (optional)", "10");
  const maxHops = text("max-hops", "1", "4");
  const ackMode = select("ack-mode", ["on-confirm", "on-publish", "no-ack"], "on-confirm");
  const addMsg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Add upstream");
  add.appendChild(h(
    "form",
    {
      class: "shovel-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const n = name.value.trim(), v = vh.value;
        if (n === "") {
          say(addMsg, "error", "An upstream needs a name.");
          return;
        }
        const value: Record<string, unknown> = { uri: uri.value.trim(), "ack-mode": ackMode.value };
        if (exchange.value.trim() !== "") value.exchange = exchange.value.trim();
        if (queue.value.trim() !== "") value.queue = queue.value.trim();
        for (const [k, input] of [["expires", expires], ["max-hops", maxHops]] as const) {
          const t = input.value.trim();
          if (t === "") continue;
          const num = Number(t);
          value[k] = Number.isFinite(num) ? num : t;
        }
        run(
          btn,
          addMsg,
          () => api("PUT", "/parameters/federation-upstream/" + enc(v) + "/" + enc(n), { value }),
          "Upstream " + n + " added in " + v + ".",
        );
      },
    },
    h("div", { class: "inline" }, field("Virtual host", vh), field("Name", name), field("URI", uri)),
    h(
      "div",
      { class: "inline" },
      field("Upstream exchange", exchange),
      field("Upstream queue", queue),
      field("Expires", expires),
      field("Max hops", maxHops),
      field("Ack mode", ackMode),
    ),
    h("div", null, btn),
  ));
  add.appendChild(addMsg);
  view.append(ups, links, add);

  const scoped = (base: string) => session.vhost ? base + "/" + enc(session.vhost) : base;
  return {
    async refresh() {
      const params = items(await api<UpstreamParameter[]>("GET", scoped("/parameters/federation-upstream")));
      params.sort((a, b) => a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name));
      upCount.textContent = fmtInt(params.length) + (params.length === 1 ? " upstream" : " upstreams");
      upTable.update(params);
      const ls = items(await api<FederationLink[]>("GET", scoped("/federation-links")));
      linkCount.textContent = fmtInt(ls.length) + (ls.length === 1 ? " link" : " links");
      linkTable.update(ls);
    },
  };
}
