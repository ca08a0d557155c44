// connection.tune-ok negotiation: the client may lower frame_max and
// channel_max below what the server offered (0 means "no limit of mine"),
// never raise them; its heartbeat value is the one used.
import { ConnectionError, REPLY_NOT_ALLOWED } from "../amqp/errors.ts";
import { FRAME_MIN_SIZE_BYTES } from "../amqp/spec.ts";
import type { ServerLimits } from "./limits.ts";

export interface Tuned {
  frameMax: number;
  channelMax: number;
  heartbeatS: number;
}

const CONNECTION_CLASS_ID = 10;
const TUNE_OK_METHOD_ID = 31;

export function negotiateTune(
  client: { frameMax: number; channelMax: number; heartbeat: number },
  limits: ServerLimits,
): Tuned {
  const refuse = (text: string) =>
    new ConnectionError(REPLY_NOT_ALLOWED, text, CONNECTION_CLASS_ID, TUNE_OK_METHOD_ID);
  if (client.frameMax !== 0 && client.frameMax < FRAME_MIN_SIZE_BYTES) {
    throw refuse(
      `negotiated frame_max = ${client.frameMax} is lower than the minimum allowed value (${FRAME_MIN_SIZE_BYTES})`,
    );
  }
  if (client.frameMax > limits.frameMaxBytes) {
    throw refuse(
      `negotiated frame_max = ${client.frameMax} is higher than the maximum allowed value (${limits.frameMaxBytes})`,
    );
  }
  return {
    frameMax: client.frameMax === 0 ? limits.frameMaxBytes : client.frameMax,
    channelMax: client.channelMax === 0 ? limits.channelMax : Math.min(client.channelMax, limits.channelMax),
    heartbeatS: client.heartbeat,
  };
}
