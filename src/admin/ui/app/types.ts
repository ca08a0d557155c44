// The management API's objects as the UI reads them (RabbitMQ's field
// names). Every field is optional: the same page works against RabbitMQ,
// which leaves some out.

export interface Sample {
  sample: number;
  timestamp: number;
}

export interface Details {
  rate: number;
  samples?: Sample[];
}

export type Args = Record<string, unknown>;

/** message_stats: counters and their "<name>_details". */
export type MessageStats = Record<string, number | Details | undefined>;

export interface Totals {
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  messages_details?: Details;
  messages_ready_details?: Details;
  messages_unacknowledged_details?: Details;
}

export interface Queue extends Totals {
  vhost: string;
  name: string;
  type?: string;
  state?: string;
  durable?: boolean;
  auto_delete?: boolean;
  exclusive?: boolean;
  internal?: boolean;
  arguments?: Args;
  consumers?: number;
  policy?: string | null;
  effective_policy_definition?: Args;
  message_stats?: MessageStats;
  node?: string;
  memory?: number;
  message_bytes?: number;
  idle_since?: string;
  owner_pid_details?: { name?: string };
  consumer_details?: Consumer[];
  /** Warren's, for streams: the log's size, segments and offsets. */
  stream_bytes?: number;
  stream_segments?: number;
  stream_first_offset?: number;
  stream_last_offset?: number;
}

export interface Exchange {
  vhost: string;
  name: string;
  type: string;
  durable?: boolean;
  auto_delete?: boolean;
  internal?: boolean;
  arguments?: Args;
  policy?: string | null;
  effective_policy_definition?: Args;
  message_stats?: MessageStats;
}

export interface Binding {
  vhost: string;
  source: string;
  destination: string;
  destination_type: "queue" | "exchange";
  routing_key: string;
  arguments?: Args;
  properties_key?: string;
}

export interface Connection {
  name: string;
  vhost: string;
  user: string;
  state?: string;
  protocol?: string;
  channels?: number;
  ssl?: boolean;
  peer_host?: string;
  peer_port?: number;
  host?: string;
  port?: number;
  frame_max?: number;
  timeout?: number;
  channel_max?: number;
  auth_mechanism?: string;
  connected_at?: number;
  user_provided_name?: string;
  client_properties?: Args;
  recv_oct?: number;
  send_oct?: number;
  recv_oct_details?: Details;
  send_oct_details?: Details;
}

export interface Channel {
  name: string;
  vhost: string;
  user: string;
  number?: number;
  state?: string;
  confirm?: boolean;
  transactional?: boolean;
  prefetch_count?: number;
  global_prefetch_count?: number;
  consumer_count?: number;
  messages_unacknowledged?: number;
  messages_unconfirmed?: number;
  connection_details?: { name?: string; peer_host?: string; peer_port?: number };
  consumer_details?: Consumer[];
  message_stats?: MessageStats;
}

export interface Consumer {
  consumer_tag: string;
  ack_required?: boolean;
  exclusive?: boolean;
  prefetch_count?: number;
  queue?: { name: string; vhost: string };
  channel_details?: { name?: string; connection_name?: string };
  /** Warren's, for stream consumers: the last offset delivered (-1 before the first). */
  stream_offset?: number;
}

export interface User {
  name: string;
  tags?: string[] | string;
  password_hash?: string;
}

export interface Vhost extends Totals {
  name: string;
  description?: string;
  message_stats?: MessageStats;
}

export interface Permission {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

export interface Policy {
  vhost: string;
  name: string;
  pattern: string;
  "apply-to": string;
  definition: Args;
  priority: number;
}

export interface Overview {
  product_name?: string;
  product_version?: string;
  rabbitmq_version?: string;
  management_version?: string;
  node?: string;
  cluster_name?: string;
  erlang_version?: string;
  listeners?: { protocol: string; ip_address: string; port: number }[];
  object_totals?: Record<string, number>;
  queue_totals?: Totals;
  message_stats?: MessageStats;
}

export interface Message {
  payload: string;
  payload_bytes: number;
  payload_encoding?: string;
  redelivered?: boolean;
  exchange?: string;
  routing_key: string;
  message_count?: number;
  properties?: Args;
}

/** RabbitMQ's reply to a list request with `page`. */
export interface Paged<T> {
  filtered_count: number;
  item_count: number;
  items: T[];
  page: number;
  page_count: number;
  page_size: number;
  total_count: number;
}

export interface ShovelParameter {
  vhost: string;
  name: string;
  component: string;
  value: Record<string, unknown>;
}

/** A runtime parameter of component federation-upstream. */
export interface UpstreamParameter {
  vhost: string;
  name: string;
  component: string;
  value: Record<string, unknown>;
}

export interface FederationLink {
  id: string;
  vhost: string;
  type: "exchange" | "queue";
  exchange?: string;
  queue?: string;
  upstream: string;
  status: string;
  error?: string;
  uri?: string;
  timestamp: string;
  /** Warren's count of messages moved downstream. */
  messages_forwarded?: number;
}

export interface ShovelStatus {
  vhost: string;
  name: string;
  state: string;
  timestamp: string;
  reason?: string;
  /** Warren's count of messages moved (RabbitMQ's status has none). */
  messages_forwarded?: number;
}
