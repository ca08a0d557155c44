// Policies: the list with what each is in effect on, and a form to add or
// edit one with buttons for the keys Warren applies.
import { api, enc, items } from "../api.ts";
import { actionButton, run, vhostSelect, type View } from "../app.ts";
import { field, h, note, panel, say, select } from "../dom.ts";
import { fmtArgs, fmtInt, plural } from "../format.ts";
import { session } from "../session.ts";
import { makeTable } from "../table.ts";
import type { Policy } from "../types.ts";

// Policy keys Warren applies, with an example value each: a click adds one to the definition.
const POLICY_KEYS: [string, unknown][] = [
  ["message-ttl", 60000],
  ["expires", 1800000],
  ["max-length", 1000],
  ["max-length-bytes", 1048576],
  ["overflow", "reject-publish"],
  ["dead-letter-exchange", ""],
  ["dead-letter-routing-key", ""],
  ["max-priority", 10],
  ["alternate-exchange", ""],
];

type Tally = Map<string, number>;

function tally(list: { vhost: string; policy?: string | null }[]): Tally {
  const map: Tally = new Map();
  for (const o of list) {
    if (!o.policy) continue;
    const key = o.vhost + "\u0000" + o.policy;
    map.set(key, (map.get(key) ?? 0) + 1);
  }
  return map;
}

export function viewPolicies(view: HTMLElement): View {
  const count = h("span", { class: "count" });
  const p = panel("Policies", count);
  const msg = note();
  let queues: Tally = new Map();
  let exchanges: Tally = new Map();
  const inEffect = (x: Policy) => {
    const key = x.vhost + "\u0000" + x.name;
    const nq = queues.get(key) ?? 0, nx = exchanges.get(key) ?? 0;
    const parts = [];
    if (nq) parts.push(plural(nq, "queue"));
    if (nx) parts.push(plural(nx, "exchange"));
    return parts.length ? parts.join(", ") : h("span", { class: "muted" }, "nothing yet");
  };
  const table = makeTable<Policy>([
    { id: "vhost", title: "Virtual host", render: (x) => x.vhost },
    { id: "name", title: "Name", cls: "name", render: (x) => x.name },
    { id: "pattern", title: "Pattern", cls: "mono", render: (x) => x.pattern },
    { id: "apply", title: "Apply to", render: (x) => x["apply-to"] },
    { id: "definition", title: "Definition", cls: "mono", render: (x) => fmtArgs(x.definition) },
    { id: "priority", title: "Priority", num: true, render: (x) => String(x.priority) },
    { id: "effect", title: "In effect on", render: inEffect },
    {
      id: "actions",
      title: "",
      render: (x) =>
        h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "small", onclick: () => edit(x) }, "Edit"),
          actionButton("Delete", msg, () => api("DELETE", "/policies/" + enc(x.vhost) + "/" + enc(x.name)), {
            question: "Clear policy " + x.name + " in " + x.vhost + "?",
            ok: "Policy " + x.name + " cleared.",
            danger: true,
          }),
        ),
    },
  ], { key: (x) => x.vhost + "\u0000" + x.name, empty: "No policies." });
  p.append(
    table.el,
    h(
      "p",
      { class: "muted note" },
      "The highest-priority policy whose pattern matches a queue or exchange name is in effect; " +
        "arguments given when a queue is declared win over it.",
    ),
    msg,
  );

  const add = panel("Add or update a policy");
  const vh = vhostSelect();
  const name = h("input", {
    type: "text",
    name: "policy-name",
    required: true,
    autocomplete: "off",
    size: "16",
  });
  const pattern = h("input", {
    type: "text",
    name: "pattern",
    required: true,
    class: "mono",
    placeholder: "^orders\\.",
    size: "16",
  });
  const applyTo = select(
    "apply-to",
    [["all", "Exchanges and queues"], ["queues", "Queues"], ["exchanges", "Exchanges"]],
    "all",
  );
  const priority = h("input", { type: "number", name: "priority", value: "0" });
  const definition = h("textarea", {
    name: "definition",
    class: "definition",
    placeholder: '{"max-length": 1000}',
  });
  const addMsg = note();
  const keyButtons = h(
    "div",
    { class: "key-buttons" },
    h("span", { class: "muted" }, "Add:"),
    POLICY_KEYS.map(([k, example]) =>
      h("button", {
        type: "button",
        class: "small",
        onclick: () => {
          let current: unknown;
          try {
            current = definition.value.trim() ? JSON.parse(definition.value) : {};
          } catch {
            current = null;
          }
          if (!current || typeof current !== "object" || Array.isArray(current)) {
            say(addMsg, "error", "The definition is not a JSON object yet; fix it before adding keys.");
            return;
          }
          const def = current as Record<string, unknown>;
          if (!(k in def)) def[k] = example;
          definition.value = JSON.stringify(def, null, 2);
          definition.focus();
        },
      }, k)
    ),
  );
  const btn = h("button", { type: "submit", class: "primary" }, "Save policy");

  function edit(x: Policy): void {
    vh.value = x.vhost;
    name.value = x.name;
    pattern.value = x.pattern;
    applyTo.value = x["apply-to"];
    priority.value = String(x.priority);
    definition.value = JSON.stringify(x.definition, null, 2);
    say(addMsg, "", "");
    name.scrollIntoView({ block: "center" });
    pattern.focus();
  }

  add.appendChild(h(
    "form",
    {
      class: "policy-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        let def: unknown;
        try {
          def = JSON.parse(definition.value.trim() || "{}");
        } catch (err) {
          say(
            addMsg,
            "error",
            "The definition is not valid JSON: " + (err instanceof Error ? err.message : err),
          );
          return;
        }
        const n = name.value.trim(), v = vh.value;
        run(btn, addMsg, () =>
          api("PUT", "/policies/" + enc(v) + "/" + enc(n), {
            pattern: pattern.value,
            definition: def,
            priority: Number(priority.value || 0),
            "apply-to": applyTo.value,
          }), "Policy " + n + " saved in " + v + ".");
      },
    },
    h(
      "div",
      { class: "inline" },
      field("Virtual host", vh),
      field("Name", name),
      field("Pattern", pattern),
      field("Apply to", applyTo),
      field("Priority", priority),
    ),
    field("Definition (JSON)", definition),
    keyButtons,
    h("div", null, btn),
  ));
  add.appendChild(addMsg);
  view.append(p, add);

  const scoped = (base: string) => session.vhost ? base + "/" + enc(session.vhost) : base;
  return {
    async refresh() {
      const list = items(await api<Policy[]>("GET", scoped("/policies")));
      list.sort((a, b) =>
        a.vhost.localeCompare(b.vhost) || b.priority - a.priority || a.name.localeCompare(b.name)
      );
      const cols = "?columns=vhost,name,policy";
      queues = tally(items(await api<{ vhost: string; policy?: string }[]>("GET", scoped("/queues") + cols)));
      exchanges = tally(
        items(await api<{ vhost: string; policy?: string }[]>("GET", scoped("/exchanges") + cols)),
      );
      count.textContent = fmtInt(list.length) + (list.length === 1 ? " policy" : " policies");
      table.update(list);
    },
  };
}
