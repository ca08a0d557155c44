// rabbitmqctl and rabbitmq-plugins against a node started by RabbitBroker
// (same node name and directories, as the rabbitmq user with its Erlang
// cookie), for what the broker class itself does not do: enabling plugins
// at run time, setting parameters, clustering.
const RABBIT_BIN = "/usr/lib/rabbitmq/bin";

export interface RabbitNodeDirs {
  baseDir: string;
  nodeName: string;
}

export async function rabbitCli(node: RabbitNodeDirs, tool: string, args: string[]): Promise<string> {
  const b = node.baseDir;
  const env = [
    "HOME=/var/lib/rabbitmq",
    "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG=C.UTF-8",
    `RABBITMQ_NODENAME=${node.nodeName}`,
    `RABBITMQ_ENABLED_PLUGINS_FILE=${b}/enabled_plugins`,
    `RABBITMQ_MNESIA_BASE=${b}/mnesia`,
    `RABBITMQ_LOG_BASE=${b}/log`,
    `RABBITMQ_CONFIG_FILE=${b}/rabbitmq.conf`,
    `RABBITMQ_CONF_ENV_FILE=${b}/rabbitmq-env.conf`,
  ];
  const cmd = ["env", "-i", ...env, `${RABBIT_BIN}/${tool}`, "-n", node.nodeName, ...args];
  const argv = Deno.uid() === 0 ? ["runuser", "-u", "rabbitmq", "--", ...cmd] : cmd;
  const out = await new Deno.Command(argv[0], { args: argv.slice(1), stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${tool} ${args.join(" ")} failed: ${text}`);
  return text;
}
