import * as net from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of `target`, whose traffic can be frozen: after
 * freeze() nothing more is forwarded either way while every socket stays open — a network
 * that silently stopped delivering (a partition, a dead NAT entry), which only a client-side
 * timeout can notice.
 */
export interface FreezableProxy {
  port: number;
  freeze(): void;
  /** Sockets the proxy still holds open (client side). */
  openSockets(): number;
  close(): Promise<void>;
}

export async function startFreezableProxy(target: { host: string; port: number }): Promise<FreezableProxy> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const forward = (from: net.Socket, to: net.Socket) => from.on('data', (chunk) => {
      if (!frozen) to.write(chunk);
    });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    openSockets: () => [...sockets].filter((s) => s.remotePort !== target.port && !s.destroyed).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
