// Reply codes of AMQP 0-9-1 and the typed errors that carry them. A broker
// operation throws one of these where a rule is broken; the server turns it
// into channel.close or connection.close at one place (server/channel.ts and
// server/connection.ts).

export const REPLY_SUCCESS = 200;
export const REPLY_CONTENT_TOO_LARGE = 311;
export const REPLY_NO_ROUTE = 312;
export const REPLY_NO_CONSUMERS = 313;
export const REPLY_CONNECTION_FORCED = 320;
export const REPLY_INVALID_PATH = 402;
export const REPLY_ACCESS_REFUSED = 403;
export const REPLY_NOT_FOUND = 404;
export const REPLY_RESOURCE_LOCKED = 405;
export const REPLY_PRECONDITION_FAILED = 406;
export const REPLY_FRAME_ERROR = 501;
export const REPLY_SYNTAX_ERROR = 502;
export const REPLY_COMMAND_INVALID = 503;
export const REPLY_CHANNEL_ERROR = 504;
export const REPLY_UNEXPECTED_FRAME = 505;
export const REPLY_RESOURCE_ERROR = 506;
export const REPLY_NOT_ALLOWED = 530;
export const REPLY_NOT_IMPLEMENTED = 540;
export const REPLY_INTERNAL_ERROR = 541;

const REPLY_NAMES: Record<number, string> = {
  [REPLY_SUCCESS]: "OK",
  [REPLY_CONTENT_TOO_LARGE]: "CONTENT_TOO_LARGE",
  [REPLY_NO_ROUTE]: "NO_ROUTE",
  [REPLY_NO_CONSUMERS]: "NO_CONSUMERS",
  [REPLY_CONNECTION_FORCED]: "CONNECTION_FORCED",
  [REPLY_INVALID_PATH]: "INVALID_PATH",
  [REPLY_ACCESS_REFUSED]: "ACCESS_REFUSED",
  [REPLY_NOT_FOUND]: "NOT_FOUND",
  [REPLY_RESOURCE_LOCKED]: "RESOURCE_LOCKED",
  [REPLY_PRECONDITION_FAILED]: "PRECONDITION_FAILED",
  [REPLY_FRAME_ERROR]: "FRAME_ERROR",
  [REPLY_SYNTAX_ERROR]: "SYNTAX_ERROR",
  [REPLY_COMMAND_INVALID]: "COMMAND_INVALID",
  [REPLY_CHANNEL_ERROR]: "CHANNEL_ERROR",
  [REPLY_UNEXPECTED_FRAME]: "UNEXPECTED_FRAME",
  [REPLY_RESOURCE_ERROR]: "RESOURCE_ERROR",
  [REPLY_NOT_ALLOWED]: "NOT_ALLOWED",
  [REPLY_NOT_IMPLEMENTED]: "NOT_IMPLEMENTED",
  [REPLY_INTERNAL_ERROR]: "INTERNAL_ERROR",
};

/** Codes that close the whole connection, not just the channel. */
const HARD_ERROR_CODES = new Set([
  REPLY_CONNECTION_FORCED,
  REPLY_INVALID_PATH,
  REPLY_FRAME_ERROR,
  REPLY_SYNTAX_ERROR,
  REPLY_COMMAND_INVALID,
  REPLY_CHANNEL_ERROR,
  REPLY_UNEXPECTED_FRAME,
  REPLY_RESOURCE_ERROR,
  REPLY_NOT_ALLOWED,
  REPLY_NOT_IMPLEMENTED,
  REPLY_INTERNAL_ERROR,
]);

function replyName(code: number): string {
  return REPLY_NAMES[code] ?? String(code);
}

/**
 * A protocol rule broken. `text` is the detail without the code name;
 * `replyText` is what goes on the wire, prefixed as RabbitMQ does
 * ("NOT_FOUND - no queue 'q' in vhost '/'").
 */
export class AmqpError extends Error {
  readonly replyCode: number;
  readonly classId: number;
  readonly methodId: number;

  constructor(replyCode: number, text: string, classId = 0, methodId = 0) {
    super(text);
    this.name = "AmqpError";
    this.replyCode = replyCode;
    this.classId = classId;
    this.methodId = methodId;
  }

  /** At most 255 bytes, since it travels as a shortstr (RabbitMQ truncates too). */
  get replyText(): string {
    return truncateShortstr(`${replyName(this.replyCode)} - ${this.message}`);
  }

  /** True when the error must close the connection rather than the channel. */
  get isHard(): boolean {
    return HARD_ERROR_CODES.has(this.replyCode);
  }

  /** The same error, attributed to the method that caused it. */
  withMethod(classId: number, methodId: number): AmqpError {
    if (this.classId !== 0 || this.methodId !== 0) return this;
    const e = this.isHard
      ? new ConnectionError(this.replyCode, this.message, classId, methodId)
      : new AmqpError(this.replyCode, this.message, classId, methodId);
    return e;
  }
}

/** An error that always closes the connection, even for a soft code. */
export class ConnectionError extends AmqpError {
  constructor(replyCode: number, text: string, classId = 0, methodId = 0) {
    super(replyCode, text, classId, methodId);
    this.name = "ConnectionError";
  }

  override get isHard(): boolean {
    return true;
  }
}

const encoder = new TextEncoder();
const SHORTSTR_MAX_BYTES = 255;

/** Cuts a string to at most 255 UTF-8 bytes without splitting a character. */
export function truncateShortstr(s: string): string {
  if (s.length <= SHORTSTR_MAX_BYTES / 3 || encoder.encode(s).length <= SHORTSTR_MAX_BYTES) return s;
  let out = "";
  let bytes = 0;
  for (const ch of s) {
    const n = encoder.encode(ch).length;
    if (bytes + n > SHORTSTR_MAX_BYTES) break;
    out += ch;
    bytes += n;
  }
  return out;
}

export function notFound(text: string): AmqpError {
  return new AmqpError(REPLY_NOT_FOUND, text);
}

export function preconditionFailed(text: string): AmqpError {
  return new AmqpError(REPLY_PRECONDITION_FAILED, text);
}

export function accessRefused(text: string): AmqpError {
  return new AmqpError(REPLY_ACCESS_REFUSED, text);
}

export function resourceLocked(text: string): AmqpError {
  return new AmqpError(REPLY_RESOURCE_LOCKED, text);
}
