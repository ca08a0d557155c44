// Permissions: every user's in every vhost, and a form to set them.
import { api, enc, items } from "../api.ts";
import { actionButton, run, vhostSelect, type View } from "../app.ts";
import { field, h, note, panel, setOptions } from "../dom.ts";
import { plural } from "../format.ts";
import { session } from "../session.ts";
import { makeTable } from "../table.ts";
import type { Permission, User } from "../types.ts";
import { permissionColumns } from "./users.ts";

export function viewPermissions(view: HTMLElement): View {
  const count = h("span", { class: "count" });
  const p = panel("Permissions", count);
  const msg = note();
  const [userCol, ...rest] = permissionColumns("user");
  const table = makeTable<Permission>([
    userCol,
    { id: "vhost", title: "Virtual host", render: (x) => x.vhost },
    ...rest,
    {
      id: "actions",
      title: "",
      render: (x) =>
        h(
          "div",
          { class: "actions" },
          actionButton(
            "Clear",
            msg,
            () => api("DELETE", "/permissions/" + enc(x.vhost) + "/" + enc(x.user)),
            {
              question: "Clear the permissions of " + x.user + " in " + x.vhost + "?",
              ok: "Permissions of " + x.user + " in " + x.vhost + " cleared.",
              danger: true,
            },
          ),
        ),
    },
  ], { key: (x) => x.user + "\u0000" + x.vhost, empty: "No permissions." });
  p.append(table.el, msg);

  const add = panel("Set permissions");
  const user = h("select", { name: "user" });
  const vh = vhostSelect();
  const regex = (name: string) => h("input", { type: "text", name, value: ".*", size: "10", class: "mono" });
  const conf = regex("configure"), write = regex("write"), read = regex("read");
  const addMsg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Set permissions");
  add.appendChild(h(
    "form",
    {
      class: "inline",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const u = user.value, v = vh.value;
        run(btn, addMsg, () =>
          api("PUT", "/permissions/" + enc(v) + "/" + enc(u), {
            configure: conf.value,
            write: write.value,
            read: read.value,
          }), "Permissions of " + u + " in " + v + " set.");
      },
    },
    field("User", user),
    field("Virtual host", vh),
    field("Configure regexp", conf),
    field("Write regexp", write),
    field("Read regexp", read),
    btn,
  ));
  add.appendChild(addMsg);
  view.append(p, add);

  return {
    async refresh() {
      let list = items(await api<Permission[]>("GET", "/permissions"));
      if (session.vhost) list = list.filter((x) => x.vhost === session.vhost);
      list.sort((a, b) => a.user.localeCompare(b.user) || a.vhost.localeCompare(b.vhost));
      count.textContent = plural(list.length, "permission");
      table.update(list);
      setOptions(user, items(await api<User[]>("GET", "/users")).map((u) => u.name).sort());
    },
  };
}
