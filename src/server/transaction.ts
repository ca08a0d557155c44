// What a transactional channel (tx.select) holds back until tx.commit:
// its publishes, and its acks/rejects, in the order they arrived.
import type { Exchange } from "../broker/exchange/exchange.ts";
import type { Message } from "../broker/message.ts";
import type { Unacked } from "./deliveries.ts";

export interface PendingPublish {
  exchange: Exchange;
  message: Message;
  mandatory: boolean;
  /** CC and BCC routing keys (sender-selected distribution). */
  extraRoutingKeys?: string[];
}

export interface PendingSettlement {
  taken: Unacked[];
  ack: boolean;
  requeue: boolean;
}

export class Transaction {
  publishes: PendingPublish[] = [];
  settlements: PendingSettlement[] = [];

  /** Returns the pending work and starts a new transaction. */
  take(): { publishes: PendingPublish[]; settlements: PendingSettlement[] } {
    const out = { publishes: this.publishes, settlements: this.settlements };
    this.publishes = [];
    this.settlements = [];
    return out;
  }
}
