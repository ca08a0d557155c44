// Runs a pika script with Debian's python (the pyenv python on PATH lacks
// python3-pika) and bounds its time, so a hung client fails the test
// instead of hanging the suite.
export interface PythonResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const PYTHON = "/usr/bin/python3";

export async function runPython(
  script: string,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<PythonResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = new Deno.Command(PYTHON, {
    args: [script, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONUNBUFFERED: "1" },
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
