// amqplib with its type definitions, for the load generator's `--client amqplib`
// (the same version the tests drive the broker with).
// @ts-types="npm:@types/amqplib@0.10.7"
import amqp from "npm:amqplib@0.10.4";

export default amqp;
export type { Channel, ConfirmChannel, ConsumeMessage } from "npm:@types/amqplib@0.10.7";
