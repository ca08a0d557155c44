// Building the page: elements are made with h(), and text always goes in as
// text nodes or textContent, never as HTML, so an object name such as
// "<img onerror=...>" shows as those characters.

export type Child = Node | string | number | null | undefined | false | Child[];

type Handler = (e: Event) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

/** Properties set on the element itself rather than as attributes. */
const PROPERTIES = new Set(["value", "checked", "selected", "disabled"]);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...kids: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = String(v);
    else if (k === "text") el.textContent = String(v);
    else if (PROPERTIES.has(k)) (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, kids);
  return el;
}

export function append(el: Node, kid: Child): void {
  if (kid === null || kid === undefined || kid === false) return;
  if (Array.isArray(kid)) { for (const k of kid) append(el, k); }
  else el.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// ---- form fields -------------------------------------------------------

export function field(label: string, input: Child): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", null, label), input);
}

export interface Check {
  box: HTMLInputElement;
  el: HTMLLabelElement;
}

export function check(label: string, name: string, on: boolean): Check {
  const box = h("input", { type: "checkbox", name, checked: on });
  return { box, el: h("label", { class: "check" }, box, label) };
}

/** A <select>; an option is a value, or [value, label]. */
export function select(
  name: string,
  options: (string | [string, string])[],
  value: string,
): HTMLSelectElement {
  const s = h("select", { name });
  for (const o of options) {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    s.appendChild(h("option", { value: v, selected: v === value }, t));
  }
  return s;
}

/** Replaces a <select>'s or <datalist>'s options when the list of values changed. */
export function setOptions(
  el: HTMLSelectElement | HTMLDataListElement,
  values: string[],
  label: (v: string) => string = (v) => v,
): void {
  const have = Array.from(el.querySelectorAll("option"), (o) => o.value);
  if (have.join("\n") === values.join("\n")) return;
  const current = el instanceof HTMLSelectElement ? el.value : "";
  clear(el);
  for (const v of values) el.appendChild(h("option", { value: v }, label(v)));
  if (el instanceof HTMLSelectElement && values.includes(current)) el.value = current;
}

/** The trail above a detail page: the list it belongs to, and the virtual host when there is one. */
export function crumbs(listHash: string, listTitle: string, vhost?: string): HTMLElement {
  const trail = h("div", { class: "crumbs" }, h("a", { href: listHash }, listTitle));
  if (vhost !== undefined) trail.append(" / virtual host ", h("code", null, vhost));
  return trail;
}

// ---- panels, stats, messages --------------------------------------------

export function panel(title?: string, ...extra: Child[]): HTMLElement {
  const p = h("section", { class: "panel" });
  if (title) p.appendChild(h("h2", null, title, extra));
  return p;
}

export interface Stat {
  el: HTMLElement;
  value: HTMLElement;
}

export function stat(label: string): Stat {
  const value = h("div", { class: "value" }, "-");
  return { el: h("div", { class: "stat" }, h("div", { class: "label" }, label), value), value };
}

/** A message line under a form or a table. */
export function note(): HTMLElement {
  return h("div", { class: "msg", role: "status" });
}

export function say(el: HTMLElement, kind: "" | "ok" | "error", text: string): void {
  el.className = "msg " + kind;
  el.textContent = text;
}

/** A key / value table; rows whose value is empty are left out. */
export function kvTable(rows: [string, Child][]): HTMLTableElement {
  const t = h("table", { class: "kv" });
  for (const [k, v] of rows) {
    if (v === undefined || v === null || v === "" || v === false) continue;
    t.appendChild(h("tr", null, h("th", null, k), h("td", null, v)));
  }
  return t;
}
