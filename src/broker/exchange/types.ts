// The exchange types a vhost can declare, by their AMQP type name.
import { DirectExchange } from "./direct.ts";
import type { Exchange, ExchangeOptions } from "./exchange.ts";
import { FanoutExchange } from "./fanout.ts";
import { HeadersExchange } from "./headers.ts";
import { TopicExchange } from "./topic.ts";
import { DELAYED_EXCHANGE_TYPE, DelayedExchange } from "./delayed.ts";

type ExchangeClass = new (vhost: string, name: string, options: ExchangeOptions) => Exchange;

const EXCHANGE_TYPES: ReadonlyMap<string, ExchangeClass> = new Map<string, ExchangeClass>([
  ["direct", DirectExchange],
  ["fanout", FanoutExchange],
  ["topic", TopicExchange],
  ["headers", HeadersExchange],
]);

export function isExchangeType(type: string): boolean {
  return EXCHANGE_TYPES.has(type) || type === DELAYED_EXCHANGE_TYPE;
}

export function createExchange(
  type: string,
  vhost: string,
  name: string,
  options: ExchangeOptions,
): Exchange {
  if (type === DELAYED_EXCHANGE_TYPE) {
    return new DelayedExchange(vhost, name, options, createExchange, isExchangeType);
  }
  const cls = EXCHANGE_TYPES.get(type);
  if (!cls) throw new Error(`unknown exchange type ${type}`);
  return new cls(vhost, name, options);
}
