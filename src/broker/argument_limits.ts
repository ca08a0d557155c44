// How big the arguments of a declare, bind or consume may be. RabbitMQ
// bounds them only by frame_max over AMQP and not at all over the HTTP API;
// Warren keeps every argument table in memory, in the store, in each
// redeclare's comparison and in every /api/queues answer, so it bounds them.
import { countFields, type FieldTable } from "../amqp/field_table.ts";
import { preconditionFailed } from "../amqp/errors.ts";

/** Fields, at every depth, that one arguments table may hold. */
export const MAX_ARGUMENT_FIELDS = 1_000;

/** 406 when `args` holds more than MAX_ARGUMENT_FIELDS fields; `subject` names their owner ("queue 'q' in vhost '/'"). */
export function checkArgumentFields(args: FieldTable | undefined, subject: string): void {
  if (args === undefined) return;
  const fields = countFields(args);
  if (fields > MAX_ARGUMENT_FIELDS) {
    throw preconditionFailed(
      `arguments of ${subject} have ${fields} fields, more than the limit of ${MAX_ARGUMENT_FIELDS}`,
    );
  }
}
