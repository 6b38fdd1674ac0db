import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { tempDir, waitFor } from './support/tmp.js';
import { freePort } from './support/real-binaries.js';

const ROOT = path.resolve(__dirname, '..');

/** A minimal OTLP/HTTP receiver: collects the span names of every JSON export it gets. */
async function otlpReceiver() {
  const spans: Array<{ name: string; attributes: Record<string, unknown> }> = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests++;
      if (req.url === '/v1/traces' && /json/.test(req.headers['content-type'] ?? '')) {
        const doc = JSON.parse(body) as any;
        for (const rs of doc.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? []) {
              const attributes: Record<string, unknown> = {};
              for (const a of s.attributes ?? []) attributes[a.key] = Object.values(a.value ?? {})[0];
              spans.push({ name: s.name, attributes });
            }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, requests: () => requests, close: () => server.close() };
}

test('with OTEL_EXPORTER_OTLP_ENDPOINT set, serve exports spans for HTTP requests and collector runs', async () => {
  const receiver = await otlpReceiver();
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, 'workload: { id: otel, title: OTel }\ncollectors:\n  - { id: host, type: host, interval: 1s, jitter: 0 }\n');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200', PORT: String(port) };
  delete env.NODE_ENV;
  delete env.OTEL_SDK_DISABLED;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli.ts'), 'serve', '--config', config, '--db', path.join(dir, 'pb.db'), '--host', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/collectors`).catch(() => null))?.ok === true, 30_000, 'server up');
    await waitFor(() => receiver.spans.some((s) => s.name === 'collector host'), 15_000, 'collector span exported');
    await waitFor(() => receiver.spans.some((s) => /^GET \/api\/collectors$/.test(s.name) || s.attributes['http.route'] === '/api/collectors'), 15_000, 'HTTP span exported');
    const run = receiver.spans.find((s) => s.name === 'collector host')!;
    assert.equal(run.attributes['pillarboard.collector.type'], 'host');
  } finally {
    child.kill('SIGTERM');
    await exited;
    receiver.close();
  }
  assert.match(log, /tracing="http:\/\/127\.0\.0\.1/);
});
