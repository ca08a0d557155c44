// Links to the detail pages; the name is the link's text, never markup.
import { enc } from "./api.ts";
import { h } from "./dom.ts";
import { exchangeLabel } from "./format.ts";

export function queueLink(vhost: string, name: string): HTMLAnchorElement {
  return h("a", { href: "#/queue/" + enc(vhost) + "/" + enc(name), class: "queue-link" }, name);
}

export function exchangeLink(vhost: string, name: string): HTMLAnchorElement {
  return h("a", {
    href: "#/exchange/" + enc(vhost) + "/" + enc(name || "amq.default"),
    class: "exchange-link",
  }, exchangeLabel(name));
}

export function connectionLink(name: string): HTMLAnchorElement {
  return h("a", { href: "#/connection/" + enc(name), class: "connection-link" }, name);
}

export function channelLink(name: string): HTMLAnchorElement {
  return h("a", { href: "#/channel/" + enc(name), class: "channel-link" }, name);
}

export function userLink(name: string): HTMLAnchorElement {
  return h("a", { href: "#/user/" + enc(name), class: "user-link" }, name);
}

export function vhostLink(name: string): HTMLAnchorElement {
  return h("a", { href: "#/vhost/" + enc(name), class: "vhost-link" }, name);
}

/** A binding's destination, linked to its queue or exchange. */
export function destinationLink(vhost: string, type: string, name: string): HTMLAnchorElement {
  return type === "exchange" ? exchangeLink(vhost, name) : queueLink(vhost, name);
}
