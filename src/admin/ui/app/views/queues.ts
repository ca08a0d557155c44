// Queues: a paged list with a declare form, and one queue's page with its
// counts and history, details, consumers, bindings, publish and get.
import { api, ApiError, enc, items } from "../api.ts";
import { actionButton, run, vhostSelect, type View } from "../app.ts";
import { HISTORY_QUERY } from "../chart.ts";
import {
  check,
  type Child,
  clear,
  crumbs,
  field,
  h,
  kvTable,
  note,
  panel,
  say,
  select,
  stat,
} from "../dom.ts";
import {
  badges,
  fmtArgs,
  fmtBytes,
  fmtInt,
  type KeyNote,
  kvLines,
  queueType,
  rateCell,
  rateOf,
  setRate,
  stateCell,
  yesNo,
} from "../format.ts";
import { channelLink, exchangeLink, queueLink, vhostLink } from "../links.ts";
import { pagedList } from "../paged_list.ts";
import { session } from "../session.ts";
import { type Column, makeTable } from "../table.ts";
import type { Binding, Consumer, Message, Queue } from "../types.ts";
import { messageCharts } from "./overview.ts";
import { publishForm } from "./publish.ts";

const GET_TRUNCATE_BYTES = 50000;

function purgeButton(q: Queue, msg: HTMLElement, small = true): HTMLButtonElement {
  return actionButton(
    "Purge",
    msg,
    () => api("DELETE", "/queues/" + enc(q.vhost) + "/" + enc(q.name) + "/contents"),
    {
      question: "Purge all ready messages from " + q.name + "?",
      ok: "Queue " + q.name + " purged.",
      small,
    },
  );
}

function deleteButton(q: Queue, msg: HTMLElement, after?: () => void, small = true): HTMLButtonElement {
  return actionButton("Delete", msg, async () => {
    await api("DELETE", "/queues/" + enc(q.vhost) + "/" + enc(q.name));
    after?.();
  }, {
    question: "Delete queue " + q.name + " in " + q.vhost + "?",
    ok: "Queue " + q.name + " deleted.",
    danger: true,
    small,
  });
}

function queueColumns(msg: HTMLElement): Column<Queue>[] {
  const count = (
    id: string,
    title: string,
    key: "messages_ready" | "messages_unacknowledged" | "messages",
  ) => ({
    id,
    title,
    group: "Messages",
    num: true,
    cls: id,
    sort: key,
    render: (q: Queue) => fmtInt(q[key] ?? 0),
  });
  const rate = (id: string, title: string, key: string) => ({
    id,
    title,
    group: "Message rates",
    num: true,
    sort: "message_stats." + key + "_details.rate",
    render: (q: Queue) => rateCell(q.message_stats, key),
  });
  return [
    { id: "vhost", title: "Virtual host", sort: "vhost", render: (q) => q.vhost },
    { id: "name", title: "Name", cls: "name", sort: "name", render: (q) => queueLink(q.vhost, q.name) },
    { id: "type", title: "Type", sort: "type", render: queueType },
    { id: "features", title: "Features", render: (q) => badges(q, false) },
    { id: "state", title: "State", sort: "state", render: (q) => stateCell(q.state) },
    {
      id: "consumers",
      title: "Consumers",
      num: true,
      sort: "consumers",
      render: (q) => fmtInt(q.consumers ?? 0),
    },
    count("ready", "Ready", "messages_ready"),
    count("unacked", "Unacked", "messages_unacknowledged"),
    count("total", "Total", "messages"),
    rate("incoming", "incoming", "publish"),
    rate("deliver", "deliver / get", "deliver_get"),
    rate("ack", "ack", "ack"),
    {
      id: "actions",
      title: "",
      render: (q) => h("div", { class: "actions" }, purgeButton(q, msg), deleteButton(q, msg)),
    },
  ];
}

const QUEUE_TYPES: [string, string][] = [["classic", "Classic"], ["quorum", "Quorum"], ["stream", "Stream"]];

function addForm(): HTMLElement {
  const vh = vhostSelect();
  const name = h("input", { type: "text", name: "name", required: true, placeholder: "queue name" });
  const queueType = select("x-queue-type", QUEUE_TYPES, "classic");
  const durability = select("durable", [["true", "Durable"], ["false", "Transient"]], "true");
  const autoDelete = check("Auto-delete", "auto_delete", false);
  const ttl = h("input", { type: "number", name: "x-message-ttl", min: "0", placeholder: "ms" });
  const maxLen = h("input", { type: "number", name: "x-max-length", min: "0" });
  const dlx = h("input", {
    type: "text",
    name: "x-dead-letter-exchange",
    placeholder: "optional",
    size: "12",
  });
  const msg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Add queue");
  const form = h(
    "form",
    {
      class: "inline",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const n = name.value.trim();
        const args: Record<string, unknown> = {};
        if (queueType.value !== "classic") args["x-queue-type"] = queueType.value;
        if (ttl.value !== "") args["x-message-ttl"] = Number(ttl.value);
        if (maxLen.value !== "") args["x-max-length"] = Number(maxLen.value);
        if (dlx.value.trim() !== "") args["x-dead-letter-exchange"] = dlx.value.trim();
        const r = await run(btn, msg, () =>
          api("PUT", "/queues/" + enc(vh.value) + "/" + enc(n), {
            durable: durability.value === "true",
            auto_delete: autoDelete.box.checked,
            arguments: args,
          }), "Queue " + n + " declared in " + vh.value + ".");
        if (r !== undefined) name.value = "";
      },
    },
    field("Virtual host", vh),
    field("Type", queueType),
    field("Name", name),
    field("Durability", durability),
    autoDelete.el,
    field("Message TTL", ttl),
    field("Max length", maxLen),
    field("Dead-letter exchange", dlx),
    btn,
  );
  return h("details", { class: "panel add" }, h("summary", null, "Add a queue"), form, msg);
}

export function viewQueues(view: HTMLElement): View {
  const msg = note();
  const updated = h("span", { class: "updated" });
  const list = pagedList<Queue>({
    id: "queues",
    path: () => session.vhost ? "/queues/" + enc(session.vhost) : "/queues",
    key: (q) => q.vhost + "\u0000" + q.name,
    noun: ["queue", "queues"],
    empty: "No queues.",
    columns: queueColumns(msg),
  });
  const p = panel("Queues", list.count, updated);
  p.append(list.el, msg);
  view.append(p, addForm());
  return {
    async refresh() {
      await list.refresh();
      updated.textContent = "updated " + new Date().toLocaleTimeString();
    },
  };
}

// RabbitMQ's rule for a queue with both an argument and a policy value: for these limits
// the lower of the two applies; for every other key the declare-time argument wins.
const LOWER_WINS = ["message-ttl", "expires", "max-length", "max-length-bytes"];

function policyVsArguments(q: Queue): (k: string) => KeyNote | null {
  return (k) => {
    const arg = "x-" + k;
    const args = q.arguments ?? {};
    if (!Object.prototype.hasOwnProperty.call(args, arg)) return null;
    const a = args[arg];
    const p = q.effective_policy_definition?.[k];
    if (LOWER_WINS.includes(k) && typeof a === "number" && typeof p === "number" && p < a) {
      return { text: "applies: lower than the " + arg + " argument, " + a, overridden: false };
    }
    return { text: "the " + arg + " argument applies", overridden: true };
  };
}

const COUNTS: [keyof Queue, string][] = [
  ["messages_ready", "Ready"],
  ["messages_unacknowledged", "Unacked"],
  ["messages", "Total"],
  ["consumers", "Consumers"],
];
const RATES: [string, string][] = [
  ["publish", "Incoming"],
  ["deliver_get", "Deliver / get"],
  ["ack", "Ack"],
  ["redeliver", "Redeliver"],
];

function showMessages(box: HTMLElement, msgEl: HTMLElement, list: Message[]): void {
  clear(box);
  if (list.length === 0) {
    say(msgEl, "ok", "The queue is empty.");
    return;
  }
  const left = list[list.length - 1].message_count;
  say(
    msgEl,
    "ok",
    list.length + " message" + (list.length === 1 ? "" : "s") + " fetched" +
      (typeof left === "number" ? "; " + fmtInt(left) + " left in the queue." : "."),
  );
  const rows = list.map((m, i) => {
    const props = m.properties ?? {};
    const info = [
      "routing key " + m.routing_key + (m.exchange ? " via " + m.exchange : ""),
      fmtInt(m.payload_bytes) + " bytes, " + (m.payload_encoding || "string") +
      (m.redelivered ? ", redelivered" : ""),
    ];
    for (const [k, v] of Object.entries(props)) {
      if (v && typeof v === "object" && Object.keys(v).length === 0) continue;
      info.push(k + ": " + (typeof v === "object" ? JSON.stringify(v) : String(v)));
    }
    return h(
      "tr",
      null,
      h("td", { class: "num" }, String(i + 1)),
      h("td", { class: "payload-cell" }, h("pre", { class: "payload" }, m.payload)),
      h("td", { class: "props" }, info.map((t) => h("div", null, t))),
    );
  });
  box.appendChild(h(
    "div",
    { class: "messages-scroll" },
    h(
      "table",
      { class: "list" },
      h(
        "thead",
        null,
        h("tr", null, h("th", { class: "num" }, "#"), h("th", null, "Payload"), h("th", null, "Properties")),
      ),
      h("tbody", null, rows),
    ),
  ));
}

function getForm(qpath: string): HTMLElement {
  const get = panel("Get messages");
  const ackmode = select("ackmode", [
    ["ack_requeue_true", "Requeue (look without removing)"],
    ["ack_requeue_false", "Ack (remove from the queue)"],
    ["reject_requeue_true", "Reject, requeue"],
    ["reject_requeue_false", "Reject, do not requeue"],
  ], "ack_requeue_true");
  const encoding = select("encoding", [["auto", "Auto string / base64"], ["base64", "base64"]], "auto");
  const count = h("input", { type: "number", name: "count", min: "1", max: "1000", value: "1" });
  const msg = note();
  const results = h("div", { class: "messages" });
  const btn = h("button", { type: "submit", class: "primary" }, "Get message(s)");
  get.appendChild(h(
    "form",
    {
      class: "inline",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const r = await run(btn, msg, () =>
          api<Message[]>("POST", qpath + "/get", {
            count: Number(count.value || 1),
            ackmode: ackmode.value,
            encoding: encoding.value,
            truncate: GET_TRUNCATE_BYTES,
          }));
        if (r !== undefined) showMessages(results, msg, items(r));
      },
    },
    field("Ack mode", ackmode),
    field("Encoding", encoding),
    field("Messages", count),
    btn,
  ));
  get.append(msg, results);
  return get;
}

/** A stream's log, as Warren shows it: size, segments and the offsets it holds. */
function streamRows(q: Queue): [string, Child][] {
  if (typeof q.stream_segments !== "number") return [];
  const empty = (q.stream_last_offset ?? -1) < 0;
  return [
    ["Stream size", fmtBytes(q.stream_bytes ?? 0)],
    ["Segments", fmtInt(q.stream_segments)],
    [
      "Offsets",
      empty
        ? "none (empty)"
        : fmtInt(q.stream_first_offset ?? 0) + " to " + fmtInt(q.stream_last_offset ?? 0),
    ],
  ];
}

export function viewQueue(view: HTMLElement, args: string[]): View {
  const vhost = args[0] || "/";
  const qname = args.slice(1).join("/");
  const qpath = "/queues/" + enc(vhost) + "/" + enc(qname);
  const self: Queue = { vhost, name: qname };
  const msg = note();
  view.append(
    crumbs("#/queues", "Queues", vhost),
    h(
      "div",
      { class: "title-row" },
      h("h1", null, "Queue ", h("span", { class: "mono" }, qname)),
      h(
        "div",
        { class: "actions" },
        purgeButton(self, msg, false),
        deleteButton(self, msg, () => location.hash = "#/queues", false),
      ),
    ),
    msg,
  );
  const counts: Record<string, HTMLElement> = {};
  const rates: Record<string, HTMLElement> = {};
  view.appendChild(h(
    "div",
    { class: "stats wide" },
    COUNTS.map(([k, label]) => {
      const s = stat(label);
      s.value.setAttribute("data-stat", k);
      counts[k] = s.value;
      return s.el;
    }),
    RATES.map(([k, label]) => {
      const s = stat(label);
      rates[k] = s.value;
      return s.el;
    }),
  ));
  const charts = messageCharts();

  const info = h("div");
  const infoPanel = panel("Details");
  infoPanel.appendChild(info);
  const consumers = makeTable<Consumer>([
    { id: "tag", title: "Consumer tag", cls: "name", render: (c) => c.consumer_tag },
    {
      id: "channel",
      title: "Channel",
      render: (c) => c.channel_details?.name ? channelLink(c.channel_details.name) : "",
    },
    { id: "ack", title: "Ack required", render: (c) => yesNo(c.ack_required) },
    { id: "exclusive", title: "Exclusive", render: (c) => yesNo(c.exclusive) },
    { id: "prefetch", title: "Prefetch", num: true, render: (c) => fmtInt(c.prefetch_count ?? 0) },
    {
      id: "offset",
      title: "Offset",
      num: true,
      hint: "The last stream offset delivered to this consumer",
      render: (c) =>
        typeof c.stream_offset !== "number" ? "" : c.stream_offset < 0 ? "none yet" : fmtInt(c.stream_offset),
    },
  ], { key: (c) => (c.channel_details?.name ?? "") + "\u0000" + c.consumer_tag, empty: "No consumers." });
  // The offset column is for streams only; shown once the queue turns out to be one.
  const NOT_STREAM = new Set(["offset"]);
  let streamColumns = false;
  consumers.layout(NOT_STREAM, null);
  const consPanel = panel("Consumers");
  consPanel.appendChild(consumers.el);
  const bindings = makeTable<Binding>([
    { id: "source", title: "From exchange", render: (b) => exchangeLink(b.vhost, b.source) },
    { id: "key", title: "Routing key", cls: "mono", render: (b) => b.routing_key },
    { id: "args", title: "Arguments", render: (b) => fmtArgs(b.arguments) },
  ], {
    key: (b) => b.source + "\u0000" + b.properties_key + "\u0000" + b.routing_key,
    empty: "No bindings.",
  });
  const bindPanel = panel("Bindings");
  bindPanel.appendChild(bindings.el);
  view.append(
    charts.el,
    h("div", { class: "grid2 spaced" }, infoPanel, h("div", { class: "stack" }, consPanel, bindPanel)),
    h("div", { class: "grid2" }, publishForm(vhost, "", qname), getForm(qpath)),
  );

  return {
    async refresh() {
      let q: Queue;
      try {
        q = await api<Queue>("GET", qpath + "?" + HISTORY_QUERY);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          throw new ApiError(404, "Queue " + qname + " does not exist in virtual host " + vhost + ".");
        }
        throw e;
      }
      for (const [k] of COUNTS) counts[k].textContent = fmtInt((q[k] as number | undefined) ?? 0);
      for (const [k] of RATES) setRate(rates[k], rateOf(q.message_stats, k));
      charts.queued.draw(q);
      charts.rates.draw(q.message_stats);
      const feats = badges(q, false);
      clear(info);
      info.appendChild(kvTable([
        ["Virtual host", vhostLink(q.vhost)],
        ["Type", queueType(q)],
        ["State", stateCell(q.state)],
        ["Features", feats.length ? feats : "none"],
        ["Durable", yesNo(q.durable)],
        ["Auto-delete", yesNo(q.auto_delete)],
        [
          "Exclusive",
          q.exclusive
            ? "yes" + (q.owner_pid_details?.name ? " (" + q.owner_pid_details.name + ")" : "")
            : "no",
        ],
        ["Arguments", kvLines(q.arguments)],
        [
          "Policy",
          q.policy ? h("a", { href: "#/policies" }, q.policy) : h("span", { class: "muted" }, "none"),
        ],
        ["Effective policy", q.policy ? kvLines(q.effective_policy_definition, policyVsArguments(q)) : null],
        ["Node", q.node],
        ["Memory", typeof q.memory === "number" ? fmtBytes(q.memory) : ""],
        ["Message bytes", typeof q.message_bytes === "number" ? fmtBytes(q.message_bytes) : ""],
        ["Idle since", q.idle_since],
        ...streamRows(q),
      ]));
      const isStream = queueType(q) === "stream";
      if (isStream !== streamColumns) {
        streamColumns = isStream;
        consumers.layout(isStream ? new Set() : NOT_STREAM, null);
      }
      consumers.update(q.consumer_details ?? []);
      bindings.update(items(await api<Binding[]>("GET", qpath + "/bindings")));
    },
  };
}
