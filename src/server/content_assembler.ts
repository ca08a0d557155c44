// Collects basic.publish + content header + body frames into one message's
// parts. The body is copied once, from the socket buffer into a buffer of
// exactly the announced size.
import {
  AmqpError,
  ConnectionError,
  REPLY_FRAME_ERROR,
  REPLY_PRECONDITION_FAILED,
  REPLY_UNEXPECTED_FRAME,
} from "../amqp/errors.ts";
import { methodSpec } from "../amqp/method_codec.ts";
import { BASIC_CLASS_ID } from "../amqp/spec.ts";
import { SLAB_MAX_PART_BYTES, slabAlloc } from "./slab.ts";

export interface AssembledContent {
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  rawProperties: Uint8Array;
  body: Uint8Array;
}

const EMPTY_BODY = new Uint8Array(0);
/** Bodies up to this size get their whole buffer when the header arrives. */
const EAGER_BODY_BYTES = 1024 * 1024;
const PUBLISH = methodSpec("basic.publish");

export class ContentAssembler {
  #expecting: "none" | "header" | "body" = "none";
  #exchange = "";
  #routingKey = "";
  #mandatory = false;
  #props: Uint8Array = EMPTY_BODY;
  #body: Uint8Array = EMPTY_BODY;
  #received = 0;
  /** The body size announced by the content header. */
  #size = 0;

  constructor(readonly maxMessageSizeBytes: number) {}

  get busy(): boolean {
    return this.#expecting !== "none";
  }

  start(exchange: string, routingKey: string, mandatory: boolean): void {
    this.#exchange = exchange;
    this.#routingKey = routingKey;
    this.#mandatory = mandatory;
    this.#expecting = "header";
  }

  /** A method frame arrived where content was expected: the publish it interrupts is the culprit. */
  checkNoContentPending(): void {
    if (this.#expecting === "header") {
      throw new ConnectionError(
        REPLY_UNEXPECTED_FRAME,
        "expected content header for class 60, got non content header frame instead",
        PUBLISH.classId,
        PUBLISH.methodId,
      );
    }
    if (this.#expecting === "body") {
      throw new ConnectionError(
        REPLY_UNEXPECTED_FRAME,
        "expected content body, got non content body frame instead",
        PUBLISH.classId,
        PUBLISH.methodId,
      );
    }
  }

  /** Returns the finished content when the body is empty, else null. */
  header(bytes: Uint8Array, start: number, end: number): AssembledContent | null {
    if (this.#expecting !== "header") {
      throw new ConnectionError(
        REPLY_UNEXPECTED_FRAME,
        "expected method frame, got non method frame instead",
      );
    }
    if (end - start < 14) throw new ConnectionError(REPLY_FRAME_ERROR, "content header frame too short");
    const classId = (bytes[start] << 8) | bytes[start + 1];
    if (classId !== BASIC_CLASS_ID) {
      throw new ConnectionError(
        REPLY_UNEXPECTED_FRAME,
        `expected content header for class 60, got one for class ${classId} instead`,
      );
    }
    const hi = ((bytes[start + 4] << 24) >>> 0) + (bytes[start + 5] << 16) + (bytes[start + 6] << 8) +
      bytes[start + 7];
    const lo = ((bytes[start + 8] << 24) >>> 0) + (bytes[start + 9] << 16) + (bytes[start + 10] << 8) +
      bytes[start + 11];
    const size = hi * 0x1_0000_0000 + lo;
    const propsLength = end - start - 12;
    if (size > this.maxMessageSizeBytes) {
      this.#expecting = "none";
      throw new AmqpError(
        REPLY_PRECONDITION_FAILED,
        `message size ${size} is larger than configured max size ${this.maxMessageSizeBytes}`,
        PUBLISH.classId,
        PUBLISH.methodId,
      );
    }
    this.#received = 0;
    this.#size = size;
    if (propsLength + size <= SLAB_MAX_PART_BYTES) {
      // Small message: properties and body share one slab region.
      const region = slabAlloc(propsLength + size);
      region.set(bytes.subarray(start + 12, end));
      this.#props = region.subarray(0, propsLength);
      this.#body = region.subarray(propsLength);
    } else {
      this.#props = bytes.slice(start + 12, end);
      // A header alone must not reserve a huge buffer: large bodies grow as their frames arrive.
      this.#body = size === 0 ? EMPTY_BODY : new Uint8Array(Math.min(size, EAGER_BODY_BYTES));
    }
    if (size === 0) return this.#finish();
    this.#expecting = "body";
    return null;
  }

  /** Returns the finished content once the last body frame is in, else null. */
  bodyFrame(bytes: Uint8Array, start: number, end: number): AssembledContent | null {
    if (this.#expecting !== "body") {
      throw new ConnectionError(
        REPLY_UNEXPECTED_FRAME,
        "expected method frame, got non method frame instead",
      );
    }
    const n = end - start;
    const need = this.#received + n;
    if (need > this.#size) {
      throw new ConnectionError(REPLY_FRAME_ERROR, "content body frame exceeds remaining content size");
    }
    if (need > this.#body.length) {
      const grown = new Uint8Array(Math.min(this.#size, Math.max(need, this.#body.length * 2)));
      grown.set(this.#body.subarray(0, this.#received));
      this.#body = grown;
    }
    this.#body.set(bytes.subarray(start, end), this.#received);
    this.#received = need;
    return need === this.#size ? this.#finish() : null;
  }

  #finish(): AssembledContent {
    this.#expecting = "none";
    const out = {
      exchange: this.#exchange,
      routingKey: this.#routingKey,
      mandatory: this.#mandatory,
      rawProperties: this.#props,
      body: this.#body,
    };
    this.#props = EMPTY_BODY;
    this.#body = EMPTY_BODY;
    return out;
  }

  reset(): void {
    this.#expecting = "none";
    this.#props = EMPTY_BODY;
    this.#body = EMPTY_BODY;
  }
}
