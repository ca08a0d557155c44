// A configuration mistake. main.ts prints its message as the one line a
// failed start-up shows, so the message names where the mistake is: the
// file and line plus the key (`/etc/warren/rabbitmq.conf:3: heartbeat:
// ...`), the environment variable, or the flag.
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
