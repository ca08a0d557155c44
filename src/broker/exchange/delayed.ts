// The x-delayed-message exchange type (RabbitMQ needs a plugin for it): a
// message with a positive integer `x-delay` header is held for that many
// milliseconds and then routed by the exchange's `x-delayed-type` rules.
// The waiting is done by the vhost's DelayedSchedule; this router only
// decides whether a message must wait.
import { AmqpError, REPLY_PRECONDITION_FAILED } from "../../amqp/errors.ts";
import type { Message } from "../message.ts";
import { type Binding, type Destination, Exchange, type ExchangeOptions } from "./exchange.ts";

export const DELAYED_EXCHANGE_TYPE = "x-delayed-message";

type ExchangeFactory = (type: string, vhost: string, name: string, options: ExchangeOptions) => Exchange;

export class DelayedExchange extends Exchange {
  readonly type = DELAYED_EXCHANGE_TYPE;
  readonly #inner: Exchange;

  constructor(
    vhost: string,
    name: string,
    options: ExchangeOptions,
    create: ExchangeFactory,
    isType: (t: string) => boolean,
  ) {
    super(vhost, name, options);
    const delayedType = options.arguments["x-delayed-type"];
    if (typeof delayedType !== "string" || !isType(delayedType) || delayedType === DELAYED_EXCHANGE_TYPE) {
      throw new AmqpError(
        REPLY_PRECONDITION_FAILED,
        "Invalid argument, 'x-delayed-type' must be an existing exchange type",
      );
    }
    this.#inner = create(delayedType, vhost, name, { ...options, arguments: {} });
  }

  /** The delay a message asks for, in ms; 0 when it should be routed now. */
  static delayOf(message: Message): number {
    const raw = message.rawProperties;
    // Only messages with headers can carry x-delay (headers flag: bit 13, the high byte's 0x20).
    if (raw.length < 2 || (raw[0] & 0x20) === 0) return 0;
    const d = message.properties.headers?.["x-delay"];
    const n = typeof d === "bigint" ? Number(d) : typeof d === "string" && /^\d+$/.test(d) ? Number(d) : d;
    return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : 0;
  }

  /** Routes as the delayed-type exchange would; the vhost holds delayed messages back before calling this. */
  route(routingKey: string, message: Message, out: Destination[]): void {
    this.#inner.route(routingKey, message, out);
  }

  protected index(binding: Binding): void {
    this.#inner.addBinding(binding);
  }

  protected unindex(binding: Binding): void {
    this.#inner.removeBinding(binding);
  }
}
