// Where Warren answers differently from RabbitMQ 3.10.8 and the differential
// tests accept it. A divergence matching an entry ends its sequence (the two
// brokers' states differ from there on) and is counted under the entry, not
// reported as a failure. Anything else the tests find is a failure.
//
// Not listed because the transcripts never contain it: server properties in
// connection.start (the product is "Warren", not "RabbitMQ"), which
// runner.ts does not record.
import type { Op } from "./runner.ts";

export interface DivergenceFacts {
  op: Op;
  rabbit: string[];
  warren: string[];
  /** the operations before it */
  history: Op[];
}

export interface KnownDifference {
  id: string;
  reason: string;
  matches(d: DivergenceFacts): boolean;
}

const method = (
  op: Op,
): string => (op.kind === "method" ? op.method : op.kind === "publish" ? "basic.publish" : "");

const usesTtl = (op: Op): boolean =>
  (op.kind === "publish" && op.properties.expiration !== undefined) ||
  (op.kind === "method" && op.method === "queue.declare" &&
    op.args.arguments?.["x-message-ttl"] !== undefined);

/** Every line that differs is a queue's ready count, and Warren's is the lower. */
function onlyFewerReady(rabbit: string[], warren: string[]): boolean {
  const ready = /^observe (\S+): ready=(\d+) consumers=(\d+)$/;
  const r = rabbit.filter((l) => !warren.includes(l));
  const w = warren.filter((l) => !rabbit.includes(l));
  if (r.length === 0 || r.length !== w.length) return false;
  return r.every((line, i) => {
    const a = ready.exec(line);
    const b = ready.exec(w[i]);
    return a !== null && b !== null && a[1] === b[1] && a[3] === b[3] && Number(a[2]) > Number(b[2]);
  });
}

/** Deliberate: Warren means to answer this way. Each has its reason. */
export const DELIBERATE: readonly KnownDifference[] = [
  {
    id: "channel-flow-off",
    reason: "Warren honours channel.flow(active=false) and pauses deliveries, as the 0-9-1 spec says; " +
      "RabbitMQ 3.x no longer implements it and closes the connection with 540 NOT_IMPLEMENTED",
    matches: ({ op }) => method(op) === "channel.flow" && op.kind === "method" && !op.args.active,
  },
  {
    id: "ttl-expiry-anywhere",
    reason: "Warren removes an expired message wherever it is in the queue; RabbitMQ only once it reaches " +
      "the head, so until then its ready count still includes it",
    matches: ({ op, rabbit, warren, history }) =>
      [...history, op].some(usesTtl) && onlyFewerReady(rabbit, warren),
  },
];

export function classify(d: DivergenceFacts): KnownDifference | null {
  return DELIBERATE.find((k) => k.matches(d)) ?? null;
}
