import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { http } from '../collectors/http.js';
import type { CollectResult } from '../collectors/types.js';
import { silentLogger } from '../server/log.js';
import { serve, hangingServer, readBody, type LocalServer } from './support/local-server.js';

const NOW = new Date();

function collect(raw: unknown): Promise<CollectResult> {
  return http.collect(http.config.parse(raw), { signal: AbortSignal.timeout(10_000), now: NOW, log: silentLogger, collectorId: 'http-test' });
}

/** The value of `name` for `target`, or undefined. */
function value(r: CollectResult, name: string, target: string): number | undefined {
  return r.samples.find((s) => s.name === name && s.labels['target'] === target)?.value;
}

let plain: LocalServer;
let secure: LocalServer;
let hanging: LocalServer;
let certDir: string;
let caPem: string;
let lastRequest: { method?: string; body?: string; header?: string } = {};

const handler = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
  lastRequest = { method: req.method, body: await readBody(req), header: req.headers['x-probe'] as string | undefined };
  switch (req.url) {
    case '/health':
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy","db":"up"}');
      break;
    case '/redirect':
      res.writeHead(302, { location: '/health' }).end();
      break;
    case '/created':
      res.writeHead(201).end('made');
      break;
    default:
      res.writeHead(404).end('no such page');
  }
};

before(async () => {
  certDir = await mkdtemp(path.join(os.tmpdir(), 'pb-cert-'));
  const key = path.join(certDir, 'key.pem');
  const cert = path.join(certDir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
  ]);
  caPem = await readFile(cert, 'utf8');
  plain = await serve(handler);
  secure = await serve(handler, { key: await readFile(key), cert: caPem });
  hanging = await hangingServer();
});

after(async () => {
  await Promise.all([plain?.close(), secure?.close(), hanging?.close()]);
  await rm(certDir, { recursive: true, force: true });
});

describe('http collector', () => {
  it('reports success, status code and duration for a healthy URL', async () => {
    const url = `${plain.url}/health`;
    const r = await collect({ targets: [url] });
    assert.equal(value(r, 'probe_success', url), 1);
    assert.equal(value(r, 'probe_http_status_code', url), 200);
    const seconds = value(r, 'probe_duration_seconds', url)!;
    assert.ok(Number.isFinite(seconds) && seconds > 0, `duration ${seconds}`);
    assert.equal(value(r, 'probe_ssl_earliest_cert_expiry_days', url), undefined, 'no certificate over plain http');
    assert.ok(r.samples.every((s) => s.ts === NOW.getTime()));
    assert.equal(r.warnings, undefined);
  });

  it('fails a probe whose status is not the expected one, with the reason in warnings', async () => {
    const r = await collect({ targets: [{ url: `${plain.url}/health`, name: 'api', expect_status: [201, 204] }, { url: `${plain.url}/created`, name: 'create', expect_status: 201 }] });
    assert.equal(value(r, 'probe_success', 'api'), 0);
    assert.equal(value(r, 'probe_http_status_code', 'api'), 200);
    assert.equal(value(r, 'probe_success', 'create'), 1);
    assert.deepEqual(r.warnings, ['api: answered 200 OK, expected 201 or 204']);
  });

  it('fails a 404 by default (2xx and 3xx succeed)', async () => {
    const url = `${plain.url}/missing`;
    const r = await collect({ targets: [url] });
    assert.equal(value(r, 'probe_success', url), 0);
    assert.equal(value(r, 'probe_http_status_code', url), 404);
    assert.deepEqual(r.warnings, [`${url}: answered 404 Not Found, expected 2xx or 3xx`]);
  });

  it('checks the body against body_match', async () => {
    const r = await collect({
      targets: [
        { url: `${plain.url}/health`, name: 'db-up', body_match: '"db":\\s*"up"' },
        { url: `${plain.url}/health`, name: 'cache-up', body_match: '"cache":"up"' },
      ],
    });
    assert.equal(value(r, 'probe_success', 'db-up'), 1);
    assert.equal(value(r, 'probe_success', 'cache-up'), 0);
    assert.match(r.warnings?.join() ?? '', /cache-up: body does not match/);
  });

  it('follows redirects by default and reports the final status', async () => {
    const url = `${plain.url}/redirect`;
    const r = await collect({ targets: [url] });
    assert.equal(value(r, 'probe_http_status_code', url), 200);
    assert.equal(value(r, 'probe_http_redirects', url), 1);
    const direct = await collect({ targets: [url], follow_redirects: false });
    assert.equal(value(direct, 'probe_http_status_code', url), 302);
    assert.equal(value(direct, 'probe_success', url), 1);
  });

  it('sends the configured method, headers and body', async () => {
    await collect({ targets: [{ url: `${plain.url}/created`, method: 'POST', body: 'ping', headers: { 'X-Probe': 'yes' }, expect_status: 201 }] });
    assert.deepEqual(lastRequest, { method: 'POST', body: 'ping', header: 'yes' });
  });

  it('reports about 30 days left for a 30-day certificate trusted through tls.ca', async () => {
    const url = `${secure.url}/health`;
    const r = await collect({ targets: [url], tls: { ca: caPem } });
    assert.equal(value(r, 'probe_success', url), 1);
    const days = value(r, 'probe_ssl_earliest_cert_expiry_days', url)!;
    assert.ok(days > 29.9 && days <= 30.01, `days left ${days}`);
  });

  it('probes a self-signed certificate with insecure_skip_verify and still reports its expiry', async () => {
    const url = `${secure.url}/health`;
    const r = await collect({ targets: [url], tls: { insecure_skip_verify: true } });
    assert.equal(value(r, 'probe_success', url), 1);
    assert.ok(value(r, 'probe_ssl_earliest_cert_expiry_days', url)! > 29.9);
  });

  it('fails a probe whose certificate is not trusted, saying how to trust it', async () => {
    const url = `${secure.url}/health`;
    const r = await collect({ targets: [url] });
    assert.equal(value(r, 'probe_success', url), 0);
    assert.equal(value(r, 'probe_http_status_code', url), 0);
    assert.match(r.warnings?.join() ?? '', /TLS handshake with 127\.0\.0\.1:\d+ failed: self[- ]signed certificate.*tls\.ca/);
  });

  it('reports a hanging target as down after probe_timeout_ms and keeps the other results', async () => {
    const r = await collect({ targets: [{ url: hanging.url, name: 'stuck' }, { url: `${plain.url}/health`, name: 'fine' }], probe_timeout_ms: 200 });
    assert.equal(value(r, 'probe_success', 'stuck'), 0);
    assert.equal(value(r, 'probe_success', 'fine'), 1);
    assert.deepEqual(r.warnings, ['stuck: no complete answer within probe_timeout_ms (200 ms)']);
  });

  it('labels a target with its URL exactly as written, or its name', async () => {
    const r = await collect({ targets: [plain.url, { url: `${plain.url}/health`, name: 'health' }] });
    assert.deepEqual(r.samples.filter((s) => s.name === 'probe_success').map((s) => s.labels['target']), [plain.url, 'health']);
  });

  it('rejects two targets with the same label at config time', () => {
    const r = http.config.safeParse({ targets: [`${plain.url}/a`, { url: `${plain.url}/b`, name: `${plain.url}/a` }] });
    assert.equal(r.error?.issues[0]?.path.join('.'), 'targets.1');
    assert.match(r.error!.issues[0]!.message, /duplicate target/);
  });

  it('names the field of a bad target URL', () => {
    const r = http.config.safeParse({ targets: ['not a url'] });
    assert.equal(r.error?.issues[0]?.path.join('.'), 'targets.0');
    assert.match(r.error!.issues[0]!.message, /absolute http:\/\/ or https:\/\/ URL/);
  });
});
