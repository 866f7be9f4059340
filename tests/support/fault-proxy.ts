/**
 * A TCP proxy between the app and a real server (PostgreSQL, Redis) that a test can cut — every open
 * connection reset and new ones refused, as when the server is down or the network drops — and
 * restore on the same port. What the app sees is exactly what it would see then: ECONNRESET on
 * the connections it had, ECONNREFUSED on new ones.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";

export interface FaultProxy {
  port: number;
  /** Resets every open connection and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const cut = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.resetAndDestroy();
    });
  };
  return {
    port,
    cut,
    restore: () => listen(port),
    async close() {
      if (server.listening) await cut();
    },
  };
}
