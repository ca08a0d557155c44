// Publishing a message through the API from a queue's or an exchange's page.
import { api, enc } from "../api.ts";
import { run } from "../app.ts";
import { field, h, note, panel, select } from "../dom.ts";

/**
 * The "Publish message" form. With `queue` set, the message goes to the
 * default exchange with the queue's name as routing key; otherwise to
 * `exchange` with a routing key typed in.
 */
export function publishForm(vhost: string, exchange: string, queue: string | null): HTMLElement {
  const pub = panel("Publish message");
  const routingKey = h("input", {
    type: "text",
    name: "routing_key",
    placeholder: "routing key",
    size: "18",
  });
  const deliveryMode = select("delivery_mode", [["1", "1 - non-persistent"], ["2", "2 - persistent"]], "2");
  const contentType = h("input", {
    type: "text",
    name: "content_type",
    placeholder: "e.g. text/plain",
    size: "14",
  });
  const headersIn = h("input", {
    type: "text",
    name: "headers",
    placeholder: "key=value, key2=value2",
    size: "26",
  });
  const payload = h("textarea", { name: "payload", placeholder: "message body" });
  const msg = note();
  const btn = h("button", { type: "submit", class: "primary" }, "Publish message");
  if (queue !== null) {
    pub.appendChild(h(
      "p",
      { class: "muted hint" },
      "Published to the default exchange with routing key ",
      h("code", null, queue),
      ".",
    ));
  }
  pub.appendChild(h(
    "form",
    {
      class: "stack",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const props: Record<string, unknown> = { delivery_mode: Number(deliveryMode.value) };
        if (contentType.value.trim()) props.content_type = contentType.value.trim();
        const headers: Record<string, string> = {};
        for (const pair of headersIn.value.split(",")) {
          const i = pair.indexOf("=");
          if (i > 0) headers[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
        }
        if (Object.keys(headers).length) props.headers = headers;
        run(
          btn,
          msg,
          () =>
            api<{ routed?: boolean }>(
              "POST",
              "/exchanges/" + enc(vhost) + "/" + enc(exchange || "amq.default") + "/publish",
              {
                properties: props,
                routing_key: queue ?? routingKey.value,
                payload: payload.value,
                payload_encoding: "string",
              },
            ),
          (r) =>
            r?.routed === false
              ? "Message published, but it was not routed to any queue."
              : "Message published.",
        );
      },
    },
    h(
      "div",
      { class: "inline" },
      queue === null ? field("Routing key", routingKey) : null,
      field("Delivery mode", deliveryMode),
      field("Content type", contentType),
      field("Headers", headersIn),
    ),
    field("Payload", payload),
    h("div", null, btn),
  ));
  pub.appendChild(msg);
  return pub;
}
