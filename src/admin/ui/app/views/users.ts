// Users: the list with a form to add or update one, and a user's page with
// its permissions.
import { api, ApiError, enc, items } from "../api.ts";
import { actionButton, run, type View } from "../app.ts";
import { clear, crumbs, field, h, kvTable, note, panel } from "../dom.ts";
import { plural, tagList } from "../format.ts";
import { userLink, vhostLink } from "../links.ts";
import { makeTable } from "../table.ts";
import type { Permission, User } from "../types.ts";

const USER_TAGS = ["administrator", "monitoring", "policymaker", "management"];

function tagBadges(u: User) {
  const t = tagList(u.tags);
  return t.length ? t.map((x) => h("span", { class: "badge" }, x)) : h("span", { class: "muted" }, "none");
}

function deleteButton(u: User, msg: HTMLElement, after?: () => void): HTMLButtonElement {
  return actionButton("Delete", msg, async () => {
    await api("DELETE", "/users/" + enc(u.name));
    after?.();
  }, { question: "Delete user " + u.name + "?", ok: "User " + u.name + " deleted.", danger: true });
}

function addForm(): HTMLElement {
  const add = panel("Add a user");
  const name = h("input", { type: "text", name: "username", required: true, autocomplete: "off" });
  const pass = h("input", { type: "password", name: "password", autocomplete: "new-password" });
  const tags = h("input", { type: "text", name: "tags", placeholder: "comma separated", size: "24" });
  const quick = h(
    "span",
    { class: "check quick" },
    "Set:",
    USER_TAGS.map((t) =>
      h("button", {
        type: "button",
        class: "small",
        onclick: () => {
          const cur = tagList(tags.value);
          if (!cur.includes(t)) cur.push(t);
          tags.value = cur.join(", ");
        },
      }, t)
    ),
    h("button", { type: "button", class: "small", onclick: () => tags.value = "" }, "none"),
  );
  const msg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Add user");
  add.appendChild(h(
    "form",
    {
      class: "inline",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const n = name.value.trim();
        const body: Record<string, string> = { tags: tagList(tags.value).join(",") };
        if (pass.value !== "") body.password = pass.value;
        else body.password_hash = "";
        const r = await run(btn, msg, () => api("PUT", "/users/" + enc(n), body), "User " + n + " saved.");
        if (r !== undefined) name.value = pass.value = tags.value = "";
      },
    },
    field("Username", name),
    field("Password", pass),
    field("Tags", tags),
    quick,
    btn,
  ));
  add.appendChild(h(
    "p",
    { class: "muted hint" },
    "Saving an existing name updates that user's password and tags. " +
      "Leave the password empty for a user that cannot log in with one.",
  ));
  add.appendChild(msg);
  return add;
}

export function viewUsers(view: HTMLElement): View {
  const count = h("span", { class: "count" });
  const p = panel("Users", count);
  const msg = note();
  const table = makeTable<User>([
    { id: "name", title: "Name", cls: "name", render: (u) => userLink(u.name) },
    { id: "tags", title: "Tags", render: tagBadges },
    {
      id: "password",
      title: "Can log in with password",
      render: (u) => u.password_hash === "" ? "no" : "yes",
    },
    { id: "actions", title: "", render: (u) => h("div", { class: "actions" }, deleteButton(u, msg)) },
  ], { key: (u) => u.name, empty: "No users." });
  p.append(table.el, msg);
  view.append(p, addForm());
  return {
    async refresh() {
      const list = items(await api<User[]>("GET", "/users"));
      list.sort((a, b) => a.name.localeCompare(b.name));
      count.textContent = plural(list.length, "user");
      table.update(list);
    },
  };
}

export function permissionColumns(show: "user" | "vhost") {
  return [
    show === "user"
      ? { id: "user", title: "User", cls: "name", render: (x: Permission) => userLink(x.user) }
      : { id: "vhost", title: "Virtual host", cls: "name", render: (x: Permission) => vhostLink(x.vhost) },
    { id: "configure", title: "Configure", cls: "mono", render: (x: Permission) => x.configure },
    { id: "write", title: "Write", cls: "mono", render: (x: Permission) => x.write },
    { id: "read", title: "Read", cls: "mono", render: (x: Permission) => x.read },
  ];
}

export function viewUser(view: HTMLElement, args: string[]): View {
  const name = args.join("/");
  const path = "/users/" + enc(name);
  const msg = note();
  const self: User = { name };
  view.append(
    crumbs("#/users", "Users"),
    h(
      "div",
      { class: "title-row" },
      h("h1", null, "User ", h("span", { class: "mono" }, name)),
      h("div", { class: "actions" }, deleteButton(self, msg, () => location.hash = "#/users")),
    ),
    msg,
  );
  const info = h("div");
  const infoPanel = panel("Details");
  infoPanel.appendChild(info);
  const perms = makeTable<Permission>(permissionColumns("vhost"), {
    key: (x) => x.vhost,
    empty: "No permissions.",
  });
  const permPanel = panel("Permissions");
  permPanel.appendChild(perms.el);
  view.appendChild(h("div", { class: "grid2" }, infoPanel, permPanel));
  return {
    async refresh() {
      let u: User;
      try {
        u = await api<User>("GET", path);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          throw new ApiError(404, "There is no user " + name + ".");
        }
        throw e;
      }
      clear(info);
      info.appendChild(kvTable([
        ["Name", u.name],
        ["Tags", tagBadges(u)],
        ["Can log in with password", u.password_hash === "" ? "no" : "yes"],
      ]));
      perms.update(items(await api<Permission[]>("GET", path + "/permissions")));
    },
  };
}
