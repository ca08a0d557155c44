// The server's limits and negotiated defaults, in one place. Each is
// enforced where it applies, with RabbitMQ's error when broken. The ones a
// setting can change take their defaults from the settings' table.
import { DEFAULT_CONFIG } from "../config/config.ts";

export interface ServerLimits {
  channelMax: number;
  frameMaxBytes: number;
  heartbeatS: number;
  maxMessageSizeBytes: number;
  consumerTimeoutMs: number;
  /** basic.consume past this many consumers on one channel: 530 NOT_ALLOWED (RabbitMQ's consumer_max_per_channel). */
  maxConsumersPerChannel: number;
  /** Publishes one transaction may hold before tx.commit: 406 past it. */
  maxUncommittedMessages: number;
  /** Published messages in confirm mode whose confirm is not yet written: 406 past it. */
  maxUnconfirmedMessages: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  channelMax: DEFAULT_CONFIG.channelMax,
  frameMaxBytes: DEFAULT_CONFIG.frameMaxBytes,
  heartbeatS: DEFAULT_CONFIG.heartbeatS,
  maxMessageSizeBytes: DEFAULT_CONFIG.maxMessageSizeBytes,
  consumerTimeoutMs: DEFAULT_CONFIG.consumerTimeoutMs,
  // RabbitMQ leaves these three unbounded; these bounds only stop a leak (a
  // consumer per request, a transaction never committed, confirms never
  // settled) from growing until the memory alarm.
  maxConsumersPerChannel: 65_536,
  maxUncommittedMessages: 1_000_000,
  maxUnconfirmedMessages: 1_000_000,
};

/**
 * A published message whose headers table holds more fields than this (at
 * every depth) closes the channel with 406. RabbitMQ has no such limit, only
 * frame_max (about 20,000 fields); this one bounds what decoding a message's
 * headers costs (headers exchange, dead-lettering, the admin view): about
 * 2 ms and 400 KB of short-lived objects.
 */
export const MAX_HEADER_FIELDS = 4_096;

/** How often unacked deliveries are checked against consumer_timeout, at most. */
export const CONSUMER_TIMEOUT_CHECK_MS = 1000;

/** A client that has not finished the handshake by then is dropped (RabbitMQ's handshake_timeout). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * Heartbeats are checked every half heartbeat interval; a client that sent
 * nothing for this many checks in a row (two intervals, as RabbitMQ allows)
 * is dropped.
 */
export const HEARTBEAT_SILENT_TICKS = 4;
/** How long a server-sent connection.close waits for close-ok before the socket is cut. */
export const CLOSE_OK_TIMEOUT_MS = 3_000;
/** After answering a client's connection.close, the longest wait for it to close the socket (RabbitMQ's 30 s). */
export const DRAIN_AFTER_CLOSE_MAX_MS = 30_000;
/** Reads start small so idle connections stay cheap, and grow while data keeps filling them. */
export const READ_BUFFER_MIN_BYTES = 4 * 1024;
export const READ_BUFFER_MAX_BYTES = 256 * 1024;
/**
 * A connection handles at most this many frames, bytes or milliseconds of
 * input before it lets the event loop run everything else that is due
 * (read_slices.ts): one client pushing as hard as it can delays the others by
 * about one slice, not for as long as it keeps pushing.
 */
export const READ_SLICE_FRAMES = 3 * 1024;
export const READ_SLICE_BYTES = 128 * 1024;
export const READ_SLICE_MS = 4;
/** At least this often, a busy node stops to look at every socket (read_slices.ts). */
export const IO_TURN_INTERVAL_MS = 20;
/** Above this many unsent bytes a connection's consumers get no more deliveries... */
export const WRITE_HIGH_WATER_BYTES = 1024 * 1024;
/** ...until it drains below this. */
export const WRITE_LOW_WATER_BYTES = 256 * 1024;
/**
 * Above this many unsent bytes the connection is not read until it drains below the low-water mark: only
 * a peer that does not read what it asked for (mandatory returns) gets there, as deliveries stop at the
 * high-water mark. RabbitMQ has no such bound.
 */
export const OUTBOX_HOLD_READS_BYTES = 16 * 1024 * 1024;
/** Bytes a connection starts its output buffer with. */
export const WRITE_BUFFER_INITIAL_BYTES = 4 * 1024;
