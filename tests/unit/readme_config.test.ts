// The README's configuration table is generated from the settings'
// descriptors (src/config/settings.ts) by `deno task readme-config`; these
// fail when it is stale, and check that the descriptors themselves hold
// together (one owner per Config field, one setting per variable and flag,
// a shown value for every default).
import assert from "node:assert/strict";
import { README, settingRow, settingsTable, withSettingsTable } from "../../scripts/readme_config.ts";
import { type Config, DEFAULT_CONFIG, describeConfig } from "../../src/config/config.ts";
import { SETTINGS } from "../../src/config/settings.ts";

const readme = Deno.readTextFileSync(README);

function cells(line: string): string[] {
  return line.slice(1, -1).split(/(?<!\\) \| /).map((c) => c.trim());
}

Deno.test("README's configuration table has one row per setting, saying what its descriptor says", () => {
  const rows = readme.split("\n").filter((l) => l.startsWith("| ")).map(cells);
  const table = rows.slice(rows.findIndex((r) => r[0] === "rabbitmq.conf key") + 2);
  for (const setting of SETTINGS) {
    const want = settingRow(setting);
    assert.ok(
      table.some((row) => JSON.stringify(row) === JSON.stringify(want)),
      `README.md has no row ${want.join(" | ")}: run deno task readme-config`,
    );
  }
});

Deno.test("README's configuration table is exactly what deno task readme-config writes", () => {
  assert.ok(
    readme.includes(settingsTable()),
    "README.md's configuration table is stale: run deno task readme-config",
  );
  assert.equal(withSettingsTable(readme), readme);
});

/** Every field of Config, type-checked both ways: a new field fails to compile until it is listed here. */
const CONFIG_FIELDS: Record<keyof Config, true> = {
  amqpPort: true,
  amqpHostname: true,
  extraAmqpListeners: true,
  tcpNoDelay: true,
  tcpKeepAlive: true,
  tls: true,
  managementPort: true,
  managementHostname: true,
  prometheusPort: true,
  prometheusHostname: true,
  prometheusPerObject: true,
  clusterName: true,
  dataDir: true,
  configFile: true,
  logLevel: true,
  logFileLevel: true,
  logFile: true,
  logConsole: true,
  inMemory: true,
  sync: true,
  defaultUser: true,
  defaultPass: true,
  defaultVHost: true,
  defaultUserTags: true,
  defaultPermissions: true,
  loopbackUsers: true,
  heartbeatS: true,
  consumerTimeoutMs: true,
  frameMaxBytes: true,
  channelMax: true,
  maxMessageSizeBytes: true,
  memoryHighWatermark: true,
  diskFreeLimitBytes: true,
  loadDefinitions: true,
  managementLoadDefinitions: true,
  ignoredKeys: true,
  origins: true,
};

Deno.test("every Config field has its default from exactly one setting", () => {
  const owners = new Map<string, number>();
  for (const s of SETTINGS) {
    for (const field of Object.keys(s.defaults ?? {})) owners.set(field, (owners.get(field) ?? 0) + 1);
  }
  for (const [field, n] of owners) assert.equal(n, 1, `${field} has a default in ${n} settings`);
  for (const field of Object.keys(CONFIG_FIELDS)) {
    if (field === "ignoredKeys" || field === "origins") continue;
    assert.ok(owners.has(field), `${field} has no setting`);
  }
});

Deno.test("each environment variable, flag and rabbitmq.conf key belongs to one setting", () => {
  const names = SETTINGS.flatMap((s) => [
    ...(s.env ?? []).map((e) => `env ${e.name}`),
    ...(s.flags ?? []).map((f) => `--${f.name}`),
    ...Object.keys(s.conf ?? {}),
    ...(s.family ? [`${s.family.prefix}*`] : []),
  ]);
  assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
});

Deno.test("the effective-config line shows every default, none as undefined", () => {
  const described = describeConfig(DEFAULT_CONFIG);
  for (const [key, value] of Object.entries(described)) assert.equal(typeof value, "string", key);
  for (const s of SETTINGS) {
    if (s.key !== null && s.describe && s.shownDefault === undefined) assert.ok(s.key in described, s.key);
  }
});
