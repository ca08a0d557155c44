// The management web UI's entry point, bundled by `deno task ui` into
// ../bundle.generated.ts and inlined into the page. It talks only to the
// management HTTP API (RabbitMQ's paths and JSON shapes), so the same page
// works against Warren or RabbitMQ.
import { start } from "./shell.ts";
import { viewBindings } from "./views/bindings.ts";
import { viewChannel, viewChannels } from "./views/channels.ts";
import { viewConnection, viewConnections } from "./views/connections.ts";
import { viewExchange, viewExchanges } from "./views/exchanges.ts";
import { viewOverview } from "./views/overview.ts";
import { viewPermissions } from "./views/permissions.ts";
import { viewPolicies } from "./views/policies.ts";
import { viewQueue, viewQueues } from "./views/queues.ts";
import { viewShovels } from "./views/shovels.ts";
import { viewUser, viewUsers } from "./views/users.ts";
import { viewVhost, viewVhosts } from "./views/vhosts.ts";

start({
  overview: viewOverview,
  connections: viewConnections,
  connection: viewConnection,
  channels: viewChannels,
  channel: viewChannel,
  exchanges: viewExchanges,
  exchange: viewExchange,
  queues: viewQueues,
  queue: viewQueue,
  bindings: viewBindings,
  users: viewUsers,
  user: viewUser,
  vhosts: viewVhosts,
  vhost: viewVhost,
  permissions: viewPermissions,
  policies: viewPolicies,
  shovels: viewShovels,
});
