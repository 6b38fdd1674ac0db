import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { freePort } from './real-binaries.js';

/** Small loopback HTTP(S) servers for collector tests. `close()` also drops open connections. */

export interface LocalServer {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  url: string;
  port: number;
  close: () => Promise<void>;
}

export async function serve(
  handler: http.RequestListener,
  tls?: { key: string | Buffer; cert: string | Buffer },
): Promise<LocalServer> {
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts connections and reads requests but never answers: the target that hangs. */
export function hangingServer(): Promise<LocalServer> {
  return serve(() => {
    /* never respond */
  });
}

/** A URL on a port nothing listens on: the target that is down. */
export async function closedPortUrl(path = ''): Promise<string> {
  return `http://127.0.0.1:${await freePort()}${path}`;
}

/** Reads a request body as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
