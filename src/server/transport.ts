// What a Connection needs from its socket. A Deno.Conn is one as it is; TLS
// sockets from node:tls (which, unlike Deno.listenTls, can verify client
// certificates) are adapted to it.
export interface Transport {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  readonly remoteAddr: Deno.Addr;
}
