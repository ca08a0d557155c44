// amqplib with its type definitions, for every test that drives the broker
// through it.
// @ts-types="npm:@types/amqplib@0.10.7"
import amqp from "npm:amqplib@0.10.4";

export default amqp;
export type { Channel, ConfirmChannel, ConsumeMessage, GetMessage } from "npm:@types/amqplib@0.10.7";
