// Tables that update in place: rows are keyed, and a cell is rewritten only
// when what it shows changed, so a live refresh does not steal a click or a
// text selection. Headers of sortable columns sort on click; columns can be
// hidden.
import { append, type Child, clear, h } from "./dom.ts";

export interface Column<T> {
  /** Stable id (the column chooser remembers hidden columns by it). */
  id: string;
  title: string;
  render: (item: T) => Child;
  group?: string;
  num?: boolean;
  cls?: string;
  hint?: string;
  /** The API's sort key for this column (a dotted path); sortable when set. */
  sort?: string;
}

export interface SortState {
  key: string;
  reverse: boolean;
}

export interface TableOptions<T> {
  key: (item: T) => string;
  empty: string;
  /** Called when a sortable header is clicked. */
  onSort?: (key: string) => void;
}

export interface Table<T> {
  el: HTMLElement;
  update(list: T[]): void;
  /** Shows only these columns (by id) and marks the sorted one. */
  layout(hidden: Set<string>, sort: SortState | null): void;
}

const signatures = new WeakMap<HTMLElement, string>();

function setCell(td: HTMLElement, content: Child): void {
  let sig: string;
  if (content instanceof Node || Array.isArray(content)) {
    const probe = h("span", null, content);
    sig = "n:" + probe.innerHTML;
    if (signatures.get(td) !== sig) {
      clear(td);
      append(td, content);
    }
  } else {
    sig = "t:" + (content === null || content === undefined || content === false ? "" : String(content));
    if (signatures.get(td) !== sig) td.textContent = sig.slice(2);
  }
  signatures.set(td, sig);
}

export function makeTable<T>(all: Column<T>[], opts: TableOptions<T>): Table<T> {
  let columns = all;
  let sort: SortState | null = null;
  const thead = h("thead");
  const tbody = h("tbody");
  const table = h("table", { class: "list" }, thead, tbody);
  let rows = new Map<string, HTMLTableRowElement>();
  let last: T[] = [];

  function header(): void {
    clear(thead);
    if (columns.some((c) => c.group)) {
      const gr = h("tr", { class: "group" });
      for (let i = 0; i < columns.length;) {
        const g = columns[i].group ?? "";
        let span = 1;
        while (g && i + span < columns.length && (columns[i + span].group ?? "") === g) span++;
        gr.appendChild(h("th", { colspan: span, class: g ? "num" : "" }, g));
        i += span;
      }
      thead.appendChild(gr);
    }
    thead.appendChild(h(
      "tr",
      null,
      columns.map((c) => {
        const current = sort;
        const sorted = current !== null && c.sort === current.key;
        const cls = [c.num ? "num" : "", c.sort ? "sortable" : "", sorted ? "sorted" : ""].join(" ").trim();
        const arrow = sorted ? (current.reverse ? " \u25bc" : " \u25b2") : "";
        const { onSort } = opts;
        const key = c.sort;
        const props = {
          class: cls,
          title: c.hint ?? (key ? "Sort by " + (c.title || c.id) : null),
          "data-col": c.id,
          onclick: key && onSort ? () => onSort(key) : null,
        };
        return h("th", props, c.title, arrow);
      }),
    ));
  }

  function update(list: T[]): void {
    last = list;
    const seen = new Set<string>();
    const wanted: HTMLTableRowElement[] = [];
    for (const item of list) {
      const key = opts.key(item);
      seen.add(key);
      let tr = rows.get(key);
      if (!tr) {
        tr = h("tr", { "data-key": key });
        for (const c of columns) {
          tr.appendChild(h("td", { class: ((c.num ? "num " : "") + (c.cls ?? "")).trim() }));
        }
        rows.set(key, tr);
      }
      const row = tr;
      columns.forEach((c, i) => setCell(row.children[i] as HTMLElement, c.render(item)));
      wanted.push(row);
    }
    for (const [key, tr] of rows) {
      if (!seen.has(key)) {
        rows.delete(key);
        tr.remove();
      }
    }
    if (wanted.length === 0) {
      clear(tbody);
      tbody.appendChild(h("tr", null, h("td", { class: "empty", colspan: columns.length }, opts.empty)));
      return;
    }
    const empty = tbody.querySelector("td.empty");
    empty?.parentElement?.remove();
    wanted.forEach((tr, i) => {
      if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] ?? null);
    });
  }

  function layout(hidden: Set<string>, s: SortState | null): void {
    columns = all.filter((c) => !hidden.has(c.id));
    sort = s;
    rows = new Map();
    clear(tbody);
    header();
    update(last);
  }

  header();
  update([]);
  return { el: h("div", { class: "table-wrap" }, table), update, layout };
}
