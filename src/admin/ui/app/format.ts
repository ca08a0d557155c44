// How numbers, rates, arguments and flags read on the page.
import { type Child, h } from "./dom.ts";
import type { Args, Details, Exchange, MessageStats, Queue } from "./types.ts";

export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined) return "";
  if (!isFinite(n)) return String(n);
  return n.toLocaleString("en-US");
}

export function fmtRate(r: number): string {
  if (!r) return "0.0/s";
  const digits = Math.abs(r) >= 100 ? 0 : 1;
  return r.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) + "/s";
}

export function fmtBytes(n: number | undefined): string {
  if (typeof n !== "number") return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return (i === 0 ? String(n) : n.toFixed(1)) + " " + units[i];
}

export function details(stats: unknown, key: string): Details | undefined {
  const d = stats && typeof stats === "object"
    ? (stats as Record<string, unknown>)[key + "_details"]
    : undefined;
  return d && typeof d === "object" && typeof (d as Details).rate === "number" ? d as Details : undefined;
}

export function rateOf(stats: unknown, key: string): number {
  return details(stats, key)?.rate ?? 0;
}

export function countOf(stats: MessageStats | undefined, key: string): number {
  const v = stats?.[key];
  return typeof v === "number" ? v : 0;
}

/** A rate for a table cell: blank when the server reports no such statistic. */
export function rateCell(stats: MessageStats | undefined, key: string): string {
  const d = details(stats, key);
  return d ? fmtRate(d.rate) : "";
}

export function fmtArgs(args: Args | undefined): string {
  if (!args || typeof args !== "object") return "";
  return Object.keys(args).map((k) => k + ": " + JSON.stringify(args[k])).join(", ");
}

export function tagList(tags: string[] | string | undefined): string[] {
  if (Array.isArray(tags)) return tags.filter(Boolean);
  if (typeof tags === "string") return tags.split(",").map((t) => t.trim()).filter(Boolean);
  return [];
}

export function exchangeLabel(name: string): string {
  return name === "" ? "(AMQP default)" : name;
}

export function queueType(q: Queue): string {
  const declared = q.arguments?.["x-queue-type"];
  return q.type || (typeof declared === "string" ? declared : "") || "classic";
}

export function stateCell(s: string | undefined): HTMLElement {
  const v = s || "running";
  return h("span", { class: "state " + v }, v);
}

export function yesNo(b: boolean | undefined): string {
  return b ? "yes" : "no";
}

const SHORT_ARGS: Record<string, string> = {
  "x-message-ttl": "TTL",
  "x-expires": "Exp",
  "x-max-length": "Lim",
  "x-max-length-bytes": "Lim B",
  "x-dead-letter-exchange": "DLX",
  "x-dead-letter-routing-key": "DLK",
  "x-max-priority": "Pri",
  "x-overflow": "Ovfl",
  "x-single-active-consumer": "SAC",
  "x-queue-mode": "Mode",
  "alternate-exchange": "AE",
};

/** The Features column: D, AD, Excl, I, one badge per argument, and the policy. */
export function badges(o: Queue | Exchange, internal: boolean): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (o.durable) out.push(h("span", { class: "badge d", title: "durable" }, "D"));
  if (o.auto_delete) out.push(h("span", { class: "badge ad", title: "auto-delete" }, "AD"));
  if ((o as Queue).exclusive) out.push(h("span", { class: "badge x", title: "exclusive" }, "Excl"));
  if (internal && o.internal) out.push(h("span", { class: "badge i", title: "internal" }, "I"));
  const args = o.arguments ?? {};
  for (const k of Object.keys(args)) {
    if (k === "x-queue-type") continue;
    const title = k + " = " + JSON.stringify(args[k]);
    out.push(h("span", { class: "badge", title }, SHORT_ARGS[k] ?? k.replace(/^x-/, "")));
  }
  if (o.policy) {
    const def = fmtArgs(o.effective_policy_definition);
    const title = "policy " + o.policy + (def ? ": " + def : "");
    out.push(h("span", { class: "badge pol", title }, "Pol " + o.policy));
  }
  return out;
}

export interface KeyNote {
  text: string;
  overridden: boolean;
}

/**
 * Arguments or a policy definition, one "key: value" line each; note(k), when
 * given, says how a key fares against the queue's own arguments.
 */
export function kvLines(obj: Args | undefined, note?: (k: string) => KeyNote | null): Child {
  const entries: Args = obj && typeof obj === "object" ? obj : {};
  const keys = Object.keys(entries);
  if (keys.length === 0) return h("span", { class: "muted" }, "none");
  return h(
    "div",
    { class: "kv-lines" },
    keys.map((k) => {
      const n = note ? note(k) : null;
      return h(
        "div",
        { class: n?.overridden ? "overridden" : null },
        h("span", { class: "mono" }, k + ": " + JSON.stringify(entries[k])),
        n ? h("span", { class: "muted" }, " (" + n.text + ")") : null,
      );
    }),
  );
}

export function plural(n: number, noun: string, nouns = noun + "s"): string {
  return fmtInt(n) + " " + (n === 1 ? noun : nouns);
}

/** A stat tile's rate: "12.5" with a small "/s" after it. */
export function setRate(el: HTMLElement, rate: number): void {
  el.textContent = fmtRate(rate).slice(0, -2);
  el.appendChild(h("small", null, "/s"));
}
