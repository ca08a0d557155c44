// List replies with RabbitMQ's query parameters: sort / sort_reverse,
// columns, and pagination (page, page_size, name, use_regex), which turns
// the bare array into {items, page, page_count, ...}.
import { ApiError, badRequest } from "./http.ts";

type Item = Record<string, unknown>;

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
const DEFAULT_SORT = ["vhost", "name"];

function pathValue(item: Item, path: string): unknown {
  let v: unknown = item;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Item)[part];
  }
  return v;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  const x = typeof a === "string" ? a : JSON.stringify(a);
  const y = typeof b === "string" ? b : JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortItems(items: Item[], keys: string[], reverse: boolean): Item[] {
  const sorted = [...items].sort((a, b) => {
    for (const k of keys) {
      const c = compare(pathValue(a, k), pathValue(b, k));
      if (c !== 0) return c;
    }
    return 0;
  });
  return reverse ? sorted.reverse() : sorted;
}

/** Keeps only the requested columns (dotted paths allowed), as RabbitMQ's `columns` does. */
function selectColumns(item: Item, columns: string[]): Item {
  const out: Item = {};
  for (const col of columns) {
    const v = pathValue(item, col);
    if (v === undefined) continue;
    const parts = col.split(".");
    let target = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = (target[parts[i]] ??= {}) as Item;
      target = next;
    }
    target[parts[parts.length - 1]] = v;
  }
  return out;
}

/** A pagination parameter: absent, or a whole number (RabbitMQ refuses "1.5", "+1", "abc" alike). */
function intParam(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest("Pagination parameters are invalid");
  return Number(value);
}

function nameFilter(query: URLSearchParams, fields: string[]): ((item: Item) => boolean) | undefined {
  const name = query.get("name");
  if (!name) return undefined;
  let test: (s: string) => boolean;
  if (query.get("use_regex") === "true") {
    let re: RegExp;
    try {
      re = new RegExp(name, "i");
    } catch {
      throw badRequest("Pagination parameters are invalid");
    }
    test = (s) => re.test(s);
  } else {
    const needle = name.toLowerCase();
    test = (s) => s.toLowerCase().includes(needle);
  }
  return (item) => fields.some((f) => test(String(item[f] ?? "")));
}

/**
 * The reply body for a list endpoint, shaped by the request's query: the
 * sorted array, or with `page` RabbitMQ's paged object. The texts and error
 * names are RabbitMQ 3.10's (tests/integration/list_paging.test.ts). `nameFields`
 * are the fields the `name` filter looks at: an item matches when any does.
 */
export function listBody(
  items: Item[],
  query: URLSearchParams,
  defaultSort = DEFAULT_SORT,
  nameFields = ["name"],
): unknown {
  const sortParam = query.get("sort");
  const keys = sortParam ? [sortParam, ...defaultSort] : defaultSort;
  const reverse = query.get("sort_reverse") === "true";
  const columns = query.get("columns")?.split(",").map((c) => c.trim()).filter((c) => c !== "");
  const page = intParam(query.get("page"));
  const pageSizeParam = intParam(query.get("page_size"));
  const project = (
    list: Item[],
  ) => (columns && columns.length > 0 ? list.map((i) => selectColumns(i, columns)) : list);
  if (page === undefined) return project(sortItems(items, keys, reverse));

  const pageSize = pageSizeParam ?? DEFAULT_PAGE_SIZE;
  if (page < 1 || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new ApiError(
      400,
      "invalid_pagination_parameters",
      `Invalid pagination parameters: page number ${page}, page size ${pageSizeParam ?? "undefined"}`,
    );
  }
  const matches = nameFilter(query, nameFields);
  const filtered = matches ? items.filter(matches) : items;
  // RabbitMQ allows the page just past the end (an empty page) and refuses the ones after it.
  if ((page - 1) * pageSize > filtered.length) {
    throw new ApiError(
      400,
      "page_out_of_range",
      `Page out of range, page: ${page} page size: ${pageSize}, len: ${filtered.length}`,
    );
  }
  const sorted = sortItems(filtered, keys, reverse);
  const slice = sorted.slice((page - 1) * pageSize, page * pageSize);
  return {
    filtered_count: filtered.length,
    item_count: slice.length,
    items: project(slice),
    page,
    page_count: Math.ceil(filtered.length / pageSize),
    page_size: pageSize,
    total_count: items.length,
  };
}
