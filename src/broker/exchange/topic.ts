// Topic exchange: binding keys are patterns over dot-separated words.
import { type Binding, type Destination, Exchange } from "./exchange.ts";
import { TopicTrie } from "./topic_trie.ts";
import type { Message } from "../message.ts";

export class TopicExchange extends Exchange {
  readonly type = "topic";
  #trie = new TopicTrie<Destination>();

  route(routingKey: string, _message: Message, out: Destination[]): void {
    this.#trie.match(routingKey, out);
  }

  protected index(binding: Binding): void {
    this.#trie.add(binding.routingKey, binding.destination);
  }

  protected unindex(binding: Binding): void {
    this.#trie.remove(binding.routingKey, binding.destination);
  }
}
