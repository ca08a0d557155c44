// `warren --help`, `warren help` and `warren serve --help` print the
// commands and every serve flag, and exit 0; an unknown command points at
// them and exits 2.
import assert from "node:assert/strict";
import { FLAG_HELP } from "../../src/config/config.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function warren(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("warren --help, help and serve --help list the commands and every serve flag", async () => {
  for (const args of [["--help"], ["help"], ["-h"], ["serve", "--help"]]) {
    const r = await warren(...args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    for (const command of ["serve", "ctl <verb>", "version", "help"]) {
      assert.match(r.stdout, new RegExp(`^  warren .*${command}`, "m"), `${args.join(" ")} lists ${command}`);
    }
    for (const flag of Object.keys(FLAG_HELP)) {
      assert.match(r.stdout, new RegExp(`^  --${flag}\\b`, "m"), `${args.join(" ")} lists --${flag}`);
    }
    assert.match(r.stdout, /http:\/\/localhost:15672\//);
  }
});

Deno.test("an unknown command exits 2 and points at warren --help", async () => {
  const r = await warren("frobnicate");
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "warren: unknown command 'frobnicate' (expected serve, ctl, version or help; see warren --help)\n",
  );
});
