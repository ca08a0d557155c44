// Dynamic shovels: each shovel's definition (its runtime parameter) beside
// its status (/api/shovels), with restart and delete, and a form that adds
// one from the fields people set most; anything else goes in as extra JSON.
import { api, enc, items } from "../api.ts";
import { actionButton, run, vhostSelect, type View } from "../app.ts";
import { check, field, h, note, panel, say, select } from "../dom.ts";
import { fmtInt, stateCell } from "../format.ts";
import { session } from "../session.ts";
import { makeTable } from "../table.ts";
import type { ShovelParameter, ShovelStatus } from "../types.ts";

interface Row {
  vhost: string;
  name: string;
  value: Record<string, unknown>;
  status: ShovelStatus | undefined;
}

/** "queue q" / "exchange x (key k)" for one side of a shovel's definition. */
function endpoint(v: Record<string, unknown>, side: "src" | "dest"): string {
  const uri = v[`${side}-uri`];
  const uris = Array.isArray(uri) ? uri.join(", ") : String(uri ?? "");
  const q = v[`${side}-queue`];
  const x = v[`${side}-exchange`];
  const key = v[`${side}-exchange-key`];
  const what = typeof q === "string"
    ? "queue " + q
    : typeof x === "string"
    ? "exchange " + (x || "(default)") + (typeof key === "string" ? " (key " + key + ")" : "")
    : "same exchange and key";
  return maskUri(uris) + " → " + what;
}

/** Credentials never shown: amqp://user:secret@host → amqp://host. */
function maskUri(uri: string): string {
  return uri.replace(/(amqps?:\/\/)[^@/]*@/g, "$1");
}

export function viewShovels(view: HTMLElement): View {
  const count = h("span", { class: "count" });
  const p = panel("Shovels", count);
  const msg = note();
  const path = (x: Row) => enc(x.vhost) + "/" + enc(x.name);
  const table = makeTable<Row>([
    { id: "vhost", title: "Virtual host", render: (x) => x.vhost },
    { id: "name", title: "Name", cls: "name", render: (x) => x.name },
    { id: "state", title: "State", render: (x) => stateCell(x.status?.state ?? "starting") },
    { id: "source", title: "Source", cls: "mono", render: (x) => endpoint(x.value, "src") },
    { id: "destination", title: "Destination", cls: "mono", render: (x) => endpoint(x.value, "dest") },
    { id: "ack", title: "Ack mode", render: (x) => String(x.value["ack-mode"] ?? "on-confirm") },
    {
      id: "moved",
      title: "Moved",
      num: true,
      render: (x) => x.status?.messages_forwarded === undefined ? "" : fmtInt(x.status.messages_forwarded),
    },
    {
      id: "since",
      title: "Since",
      render: (x) => (x.status?.timestamp ?? "") + (x.status?.reason ? " — " + x.status.reason : ""),
    },
    {
      id: "actions",
      title: "",
      render: (x) =>
        h(
          "div",
          { class: "actions" },
          actionButton("Restart", msg, () => api("DELETE", "/shovels/vhost/" + path(x) + "/restart"), {
            ok: "Shovel " + x.name + " restarted.",
          }),
          actionButton("Delete", msg, () => api("DELETE", "/parameters/shovel/" + path(x)), {
            question: "Delete shovel " + x.name + " in " + x.vhost + "?",
            ok: "Shovel " + x.name + " deleted.",
            danger: true,
          }),
        ),
    },
  ], { key: (x) => x.vhost + "\u0000" + x.name, empty: "No shovels." });
  p.append(
    table.el,
    h(
      "p",
      { class: "muted note" },
      "A shovel consumes from its source and republishes to its destination; with on-confirm the source " +
        "is acknowledged only after the destination confirmed. amqp:// with no host is this node.",
    ),
    msg,
  );

  const add = panel("Add a shovel");
  const vh = vhostSelect();
  const text = (name: string, placeholder = "", size = "24") =>
    h("input", { type: "text", name, placeholder, size, autocomplete: "off", class: "mono" });
  const name = text("shovel-name", "", "16");
  const srcUri = text("src-uri", "amqp://");
  srcUri.value = "amqp://";
  const srcKind = select("src-kind", [["queue", "Queue"], ["exchange", "Exchange"]], "queue");
  const srcName = text("src-name", "orders");
  const srcKey = text("src-key", "routing key (exchange only)", "16");
  const destUri = text("dest-uri", "amqp://user:password@central:5672/%2f", "32");
  const destKind = select("dest-kind", [["queue", "Queue"], ["exchange", "Exchange"]], "queue");
  const destName = text("dest-name", "orders");
  const destKey = text("dest-key", "routing key (exchange only)", "16");
  const ackMode = select("ack-mode", ["on-confirm", "on-publish", "no-ack"], "on-confirm");
  const deleteAfter = select("delete-after", [["never", "Never"], [
    "queue-length",
    "After the queue's length",
  ]], "never");
  const forward = check("Add forwarding headers", "forward-headers", false);
  const addMsg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Add shovel");

  add.appendChild(h(
    "form",
    {
      class: "shovel-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const value: Record<string, unknown> = {
          "src-uri": srcUri.value.trim(),
          "dest-uri": destUri.value.trim(),
          "ack-mode": ackMode.value,
        };
        value[srcKind.value === "queue" ? "src-queue" : "src-exchange"] = srcName.value;
        if (srcKind.value === "exchange" && srcKey.value !== "") value["src-exchange-key"] = srcKey.value;
        value[destKind.value === "queue" ? "dest-queue" : "dest-exchange"] = destName.value;
        if (destKind.value === "exchange" && destKey.value !== "") value["dest-exchange-key"] = destKey.value;
        if (deleteAfter.value !== "never") value["src-delete-after"] = deleteAfter.value;
        if (forward.box.checked) value["dest-add-forward-headers"] = true;
        const n = name.value.trim(), v = vh.value;
        if (n === "") {
          say(addMsg, "error", "A shovel needs a name.");
          return;
        }
        run(
          btn,
          addMsg,
          () => api("PUT", "/parameters/shovel/" + enc(v) + "/" + enc(n), { value }),
          "Shovel " + n + " added in " + v + ".",
        );
      },
    },
    h("div", { class: "inline" }, field("Virtual host", vh), field("Name", name)),
    h(
      "div",
      { class: "inline" },
      field("Source URI", srcUri),
      field("From", srcKind),
      field("Name", srcName),
      field("Key", srcKey),
    ),
    h(
      "div",
      { class: "inline" },
      field("Destination URI", destUri),
      field("To", destKind),
      field("Name", destName),
      field("Key", destKey),
    ),
    h("div", { class: "inline" }, field("Ack mode", ackMode), field("Delete", deleteAfter), forward.el),
    h("div", null, btn),
  ));
  add.appendChild(addMsg);
  view.append(p, add);

  const scoped = (base: string) => session.vhost ? base + "/" + enc(session.vhost) : base;
  return {
    async refresh() {
      const params = items(await api<ShovelParameter[]>("GET", scoped("/parameters/shovel")));
      const statuses = items(await api<ShovelStatus[]>("GET", scoped("/shovels")));
      const byKey = new Map(statuses.map((s) => [s.vhost + "\u0000" + s.name, s]));
      const rows: Row[] = params.map((x) => ({
        vhost: x.vhost,
        name: x.name,
        value: x.value,
        status: byKey.get(x.vhost + "\u0000" + x.name),
      }));
      rows.sort((a, b) => a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name));
      count.textContent = fmtInt(rows.length) + (rows.length === 1 ? " shovel" : " shovels");
      table.update(rows);
    },
  };
}
