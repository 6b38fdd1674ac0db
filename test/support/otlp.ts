import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { otlpTypes } from '../../server/otlp/proto.js';

/** Helpers for the OTLP receiver tests: OTLP JSON request builders and a served app. */

export type Attrs = Record<string, string | number | boolean>;

/** Attributes in the OTLP JSON mapping (ints as strings, as the mapping writes int64). */
export function kv(attrs: Attrs) {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

/** Nanoseconds since the epoch, as an OTLP JSON int64 string. */
export const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);

/** An ExportMetricsServiceRequest in OTLP JSON, one resource and one scope. */
export function exportRequest(metrics: unknown[], resource: Attrs = { 'service.name': 'api-test' }) {
  return { resourceMetrics: [{ resource: { attributes: kv(resource) }, scopeMetrics: [{ scope: { name: 'test' }, metrics }] }] };
}

/** The same request as protobuf bytes (encoded with the vendored protos). */
export function protobufOf(request: object): Buffer {
  const { request: type } = otlpTypes();
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}

/** Serves `app` on a free loopback port: its base URL, and `close` (open connections dropped). */
export async function serveApp(app: Express): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}
