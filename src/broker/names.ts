// Names the broker makes up: server-named queues and consumer tags, in the
// shape RabbitMQ uses so clients that look at them see what they expect.

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function generatedQueueName(): string {
  return `amq.gen-${randomToken()}`;
}

export function generatedConsumerTag(): string {
  return `amq.ctag-${randomToken()}`;
}
