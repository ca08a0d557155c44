// The pure parts of shovels: AMQP URIs read as RabbitMQ's Erlang client
// reads them, credentials masked for status, and the confirm window that
// acks the source only for what the destination confirmed.
import assert from "node:assert/strict";
import { maskUri, parseAmqpUri, UriError } from "../../src/client/amqp_uri.ts";
import { ConfirmWindow } from "../../src/shovel/confirm_window.ts";
import { parseShovel } from "../../src/shovel/shovel_config.ts";

Deno.test("AMQP URIs: host, port, credentials, vhost and query as RabbitMQ reads them", () => {
  const full = parseAmqpUri(
    "amqps://us%40er:p%3Aw@central.example:5999/prod%2Feu?heartbeat=5&frame_max=8192",
  );
  assert.deepEqual(
    [
      full.tls,
      full.host,
      full.port,
      full.username,
      full.password,
      full.vhost,
      full.heartbeatS,
      full.frameMaxBytes,
    ],
    [true, "central.example", 5999, "us@er", "p:w", "prod/eu", 5, 8192],
  );
  const local = parseAmqpUri("amqp://");
  assert.deepEqual([local.host, local.vhost, local.username, local.port], [null, "/", "guest", 5672]);
  assert.equal(parseAmqpUri("amqp://h").vhost, "/");
  assert.equal(parseAmqpUri("amqp://h/").vhost, "");
  assert.equal(parseAmqpUri("amqp://h/%2f").vhost, "/");
  assert.equal(parseAmqpUri("amqp://[::1]:5673").host, "::1");
  assert.throws(() => parseAmqpUri("amqp://h?heartbeat=x"), UriError);
  assert.throws(() => parseAmqpUri("amqp://h/a/b"), /\{\{invalid_vhost,"a\/b"\},"amqp:\/\/h\/a\/b"\}/);
  assert.throws(() => parseAmqpUri("nope"), /\{\{unable_to_parse_uri,no_scheme\},"nope"\}/);
});

Deno.test("status URIs lose their credentials and query", () => {
  assert.equal(maskUri("amqp://user:secret@h:5672/%2f?heartbeat=5"), "amqp://h:5672/%2f");
  assert.equal(maskUri("amqp://"), "amqp://");
});

Deno.test("the confirm window acks the source once per confirmed prefix and nacks only what was nacked", () => {
  const acks: [number, boolean][] = [];
  const nacks: number[] = [];
  const w = new ConfirmWindow({ ack: (t, m) => acks.push([t, m]), nack: (t) => nacks.push(t) });
  // Publishes 1..5 carry source deliveries 11..15.
  for (let seq = 1; seq <= 5; seq++) w.add(seq, 10 + seq);
  assert.equal(w.confirm(2, false, true), 1); // out of order: 1 still open, nothing acked yet
  assert.deepEqual(acks, []);
  assert.equal(w.confirm(1, false, true), 1); // prefix 1..2 confirmed
  assert.deepEqual(acks, [[12, true]]);
  assert.equal(w.confirm(3, false, false), 0); // nacked: requeued alone at the source
  assert.deepEqual(nacks, [13]);
  assert.equal(w.confirm(5, true, true), 2); // 4 and 5 by one multiple confirm
  assert.deepEqual(acks, [[12, true], [15, true]]);
  assert.equal(w.pending, 0);
  assert.equal(w.confirm(5, true, true), 0, "a repeated confirm changes nothing");
});

Deno.test("shovel settings take RabbitMQ 3.10's defaults and the older key names", () => {
  const c = parseShovel({ "src-uri": "amqp://", "src-exchange": "x", "dest-uri": ["amqp://a", "amqp://b"] });
  assert.deepEqual(
    [c.srcExchangeKey, c.prefetchCount, c.ackMode, c.reconnectDelayS, c.deleteAfter, c.destUris, c.destQueue],
    ["#", 1000, "on-confirm", 5, "never", ["amqp://a", "amqp://b"], null],
  );
  const old = parseShovel({
    "src-uri": "amqp://",
    "src-queue": "q",
    "dest-uri": "amqp://",
    "prefetch-count": 10,
    "delete-after": "queue-length",
    "add-forward-headers": true,
    "publish-properties": { delivery_mode: 2 },
  });
  assert.deepEqual(
    [old.prefetchCount, old.deleteAfter, old.addForwardHeaders, old.publishProperties],
    [10, "queue-length", true, { delivery_mode: 2 }],
  );
});
