// A list of thousands of objects that stays one screen tall: the server
// pages, filters and sorts (RabbitMQ's page, page_size, name, use_regex,
// sort, sort_reverse), and the page shows one page of rows with a name
// filter, sortable headers, a column chooser and a pager.
import { api, ApiError, errText } from "./api.ts";
import { hooks } from "./app.ts";
import { h, select } from "./dom.ts";
import { fmtInt } from "./format.ts";
import { loadPref, savePref } from "./session.ts";
import { type Column, makeTable } from "./table.ts";
import type { Paged } from "./types.ts";

// The first is the default: fifteen rows keep a list page inside a 1280x800 window.
export const PAGE_SIZES = ["15", "50", "100", "500"];
const FILTER_DELAY_MS = 250;

export interface ListSpec<T> {
  /** Names the list's saved settings. */
  id: string;
  /** The list path under /api, without a query (it may depend on the chosen vhost). */
  path: () => string;
  columns: Column<T>[];
  key: (item: T) => string;
  /** Singular and plural nouns for the counter. */
  noun: [string, string];
  empty: string;
  sort?: string;
  hidden?: string[];
}

interface Prefs {
  pageSize: number;
  sort: string;
  reverse: boolean;
  hidden: string[];
}

export interface PagedList<T> {
  el: HTMLElement;
  /** "12 of 2,000 queues", for the panel title. */
  count: HTMLElement;
  refresh(): Promise<void>;
  /** The rows on the current page. */
  shown(): T[];
}

/** Filters typed in a list survive moving between pages of the UI. */
const filters = new Map<string, { name: string; regex: boolean }>();

export function pagedList<T>(spec: ListSpec<T>): PagedList<T> {
  const prefs = loadPref<Prefs>("list." + spec.id, {
    pageSize: Number(PAGE_SIZES[0]),
    sort: spec.sort ?? "",
    reverse: false,
    hidden: spec.hidden ?? [],
  });
  const filter = filters.get(spec.id) ?? { name: "", regex: false };
  filters.set(spec.id, filter);
  let page = 1;
  let shown: T[] = [];
  let onChange: () => void = () => {};
  const changed = () => onChange();

  const table = makeTable(spec.columns, {
    key: spec.key,
    empty: spec.empty,
    onSort: (key) => {
      prefs.reverse = prefs.sort === key ? !prefs.reverse : false;
      prefs.sort = key;
      page = 1;
      save();
      changed();
    },
  });
  const save = () => {
    savePref("list." + spec.id, prefs);
    table.layout(new Set(prefs.hidden), prefs.sort ? { key: prefs.sort, reverse: prefs.reverse } : null);
  };

  let timer = 0;
  const nameIn = h("input", {
    type: "search",
    name: "filter",
    placeholder: "Filter by name",
    value: filter.name,
    "aria-label": "Filter by name",
    oninput: () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        filter.name = nameIn.value;
        page = 1;
        changed();
      }, FILTER_DELAY_MS);
    },
  });
  const regexBox = h("input", {
    type: "checkbox",
    name: "use_regex",
    checked: filter.regex,
    onchange: () => {
      filter.regex = regexBox.checked;
      page = 1;
      changed();
    },
  });
  const chooser = h(
    "details",
    { class: "columns" },
    h("summary", null, "Columns"),
    h(
      "div",
      { class: "menu" },
      spec.columns.filter((c) => c.title).map((c) => {
        const box = h("input", {
          type: "checkbox",
          name: "col-" + c.id,
          checked: !prefs.hidden.includes(c.id),
          onchange: () => {
            prefs.hidden = box.checked ? prefs.hidden.filter((x) => x !== c.id) : [...prefs.hidden, c.id];
            save();
            changed();
          },
        });
        return h("label", { class: "check" }, box, (c.group ? c.group + ": " : "") + c.title);
      }),
    ),
  );
  const sizeSel = select("page_size", PAGE_SIZES, String(prefs.pageSize));
  sizeSel.addEventListener("change", () => {
    prefs.pageSize = Number(sizeSel.value);
    page = 1;
    save();
    changed();
  });
  const pageInfo = h("span", { class: "page-info" });
  const prev = h("button", {
    type: "button",
    class: "small",
    name: "prev",
    onclick: () => {
      page = Math.max(1, page - 1);
      changed();
    },
  }, "\u2039 Prev");
  const next = h("button", {
    type: "button",
    class: "small",
    name: "next",
    onclick: () => {
      page++;
      changed();
    },
  }, "Next \u203a");
  const count = h("span", { class: "count" });

  const toolbar = h(
    "div",
    { class: "toolbar" },
    nameIn,
    h("label", { class: "check" }, regexBox, "Regex"),
    chooser,
    h("div", { class: "spacer" }),
    pageInfo,
    prev,
    next,
    h("label", { class: "check" }, "Page size", sizeSel),
  );

  function query(): string {
    const q = new URLSearchParams({ page: String(page), page_size: String(prefs.pageSize) });
    if (filter.name) {
      q.set("name", filter.name);
      q.set("use_regex", String(filter.regex));
    }
    if (prefs.sort) {
      q.set("sort", prefs.sort);
      q.set("sort_reverse", String(prefs.reverse));
    }
    return q.toString();
  }

  async function fetchPage(): Promise<Paged<T>> {
    try {
      return await api<Paged<T>>("GET", spec.path() + "?" + query());
    } catch (e) {
      // The list shrank under us (or the regex is being typed): fall back to the first page.
      if (e instanceof ApiError && e.status === 400 && page > 1) {
        page = 1;
        return await api<Paged<T>>("GET", spec.path() + "?" + query());
      }
      throw e;
    }
  }

  async function refresh(): Promise<void> {
    let data: Paged<T>;
    try {
      data = await fetchPage();
      nameIn.classList.remove("invalid");
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && filter.regex) {
        nameIn.classList.add("invalid");
        nameIn.title = "Not a valid regular expression";
        return;
      }
      throw e;
    }
    shown = data.items;
    table.update(data.items);
    const [one, many] = spec.noun;
    const filtered = data.filtered_count !== data.total_count;
    count.textContent = filtered
      ? fmtInt(data.filtered_count) + " of " + fmtInt(data.total_count) + " " + many
      : fmtInt(data.total_count) + " " + (data.total_count === 1 ? one : many);
    const first = data.item_count ? (data.page - 1) * data.page_size + 1 : 0;
    pageInfo.textContent = data.item_count
      ? fmtInt(first) + "\u2013" + fmtInt(first + data.item_count - 1) + " \u00b7 page " + fmtInt(data.page) +
        " of " + fmtInt(Math.max(1, data.page_count))
      : "";
    prev.disabled = data.page <= 1;
    next.disabled = data.page >= data.page_count;
  }

  save();
  const el = h("div", { class: "paged" }, toolbar, table.el);
  const list: PagedList<T> = { el, count, refresh, shown: () => shown };
  onChange = () => {
    refresh().catch((e) => hooks.showBanner(errText(e)));
  };
  return list;
}
