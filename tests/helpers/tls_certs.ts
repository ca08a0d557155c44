// A throwaway CA with a server certificate (localhost / 127.0.0.1), a client
// certificate it signed, and a client certificate it did not, made with the
// openssl command line in a temp dir.
export interface TestCerts {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  strangerCertFile: string;
  strangerKeyFile: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
}

export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await Deno.makeTempDir({ prefix: "warren-tls-" });
  const key = (name: string) => openssl(dir, ["genrsa", "-out", `${name}.key`, "2048"]);
  const csr = (name: string, cn: string) =>
    openssl(dir, ["req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
  const sign = (name: string, ca: string, ext?: string) =>
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.pem`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      ...(ext ? ["-extfile", ext] : []),
    ]);
  for (const ca of ["ca", "stranger-ca"]) {
    await key(ca);
    await openssl(dir, [
      "req",
      "-x509",
      "-new",
      "-key",
      `${ca}.key`,
      "-out",
      `${ca}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${ca}`,
    ]);
  }
  await Deno.writeTextFile(`${dir}/server.ext`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (
    const [name, ca, ext] of [["server", "ca", "server.ext"], ["client", "ca"], ["stranger", "stranger-ca"]]
  ) {
    await key(name!);
    await csr(name!, name!);
    await sign(name!, ca!, ext);
  }
  return {
    dir,
    caFile: `${dir}/ca.pem`,
    serverCertFile: `${dir}/server.pem`,
    serverKeyFile: `${dir}/server.key`,
    clientCertFile: `${dir}/client.pem`,
    clientKeyFile: `${dir}/client.key`,
    strangerCertFile: `${dir}/stranger.pem`,
    strangerKeyFile: `${dir}/stranger.key`,
  };
}
