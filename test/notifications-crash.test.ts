import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { readBody, serve, type LocalServer } from './support/local-server.js';
import { waitFor } from './support/real-binaries.js';
import { tempDir } from './support/tmp.js';
import { jsonHook, shopWorkload } from './support/notify-workload.js';

/**
 * A restart neither loses a pending notification nor sends one the receiver cannot recognise
 * as sent (issue 15 item 4), with a real Pillarboard process killed by SIGKILL
 * (test/fixtures/notify-crash-driver.ts): between the pass that decided a message and its send
 * (nothing is lost: it is sent after the restart, once), and between the send and recording its
 * result (it is sent again, with the same Idempotency-Key and `id`, so the receiver drops the
 * copy). E-mail carries the same Message-ID on every attempt.
 */

const ROOT = path.join(__dirname, '..');
const DRIVER = path.join(ROOT, 'test', 'fixtures', 'notify-crash-driver.ts');

interface Hit {
  key: string | undefined;
  body: any;
}
const hits: Hit[] = [];
/** When set, the receiver calls it with the request instead of answering (the test decides). */
let hold: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;
let receiver: LocalServer;

before(async () => {
  receiver = await serve(async (req, res) => {
    const body = JSON.parse(await readBody(req));
    hits.push({ key: req.headers['idempotency-key'] as string | undefined, body });
    if (hold) return hold(req, res);
    res.writeHead(200).end('ok');
  });
});
after(() => receiver.close());

function setup(channel = jsonHook(receiver.url)): string {
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 'workload.yaml'),
    shopWorkload({
      window: '10m',
      notifications: ['  channels:', channel, '  retry: { delays: [1h] }', '  rules:', '    - { id: buy-bad, outcomes: [buy], statuses: [critical], channels: [hook] }'],
    }),
  );
  return dir;
}

function driver(dir: string, mode: 'die-after-commit' | 'serve', latency?: number): { child: ChildProcess; exited: Promise<NodeJS.Signals | number | null>; idle: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, dir, mode, ...(latency === undefined ? [] : [String(latency)])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test' },
  });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const idle = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('idle') && resolve());
    void exited.then((how) => reject(new Error(`driver ended (${how}) before it was idle: ${err}`)));
  });
  idle.catch(() => undefined);
  return { child, exited, idle };
}

/** The stored deliveries and attempts (read after the process is gone). */
function stored(dir: string) {
  const db = new Database(path.join(dir, 'pb.db'), { readonly: true });
  try {
    return {
      messages: db.prepare('SELECT id, kind FROM notifications').all() as Array<{ id: number; kind: string }>,
      deliveries: db.prepare('SELECT channel, state, attempts FROM notification_deliveries').all(),
      attempts: db.prepare('SELECT ok FROM notification_attempts').all() as Array<{ ok: number }>,
    };
  } finally {
    db.close();
  }
}

test('killed with SIGKILL after deciding a message and before sending it: nothing went out, and after the restart it is sent once', async () => {
  hits.length = 0;
  hold = null;
  const dir = setup();
  const first = driver(dir, 'die-after-commit', 3);
  assert.equal(await first.exited, 'SIGKILL');
  assert.equal(hits.length, 0, 'nothing left before the kill');
  const left = stored(dir);
  assert.deepEqual(left.messages.map((m) => m.kind), ['firing'], 'the decision was stored before the kill');
  assert.deepEqual(left.deliveries, [{ channel: 'hook', state: 'pending', attempts: 0 }]);

  const second = driver(dir, 'serve', 3); // still critical after the restart
  await second.idle;
  second.child.kill('SIGKILL');
  await second.exited;
  assert.equal(hits.length, 1, 'sent once after the restart');
  assert.equal(hits[0]!.body.kind, 'firing');
  assert.match(hits[0]!.key ?? '', /^pillarboard-[0-9a-f-]{36}$/);
  assert.equal(hits[0]!.body.id, hits[0]!.key, 'the body carries the same id as the header');
  const after = stored(dir);
  assert.equal(after.messages.length, 1, 'the pass after the restart found the state: no second decision');
  assert.deepEqual(after.deliveries, [{ channel: 'hook', state: 'sent', attempts: 1 }]);
});

test('killed with SIGKILL after the receiver got the message but before its result was recorded: sent again with the same Idempotency-Key and id, so the receiver can drop the copy', async () => {
  hits.length = 0;
  const dir = setup();
  let killed: Promise<unknown> | null = null;
  const first = driver(dir, 'serve', 3);
  hold = (_req, res) => {
    // The receiver has it; the sender dies before hearing back.
    first.child.kill('SIGKILL');
    killed = first.exited.then(() => res.destroy());
  };
  assert.equal(await first.exited, 'SIGKILL');
  await waitFor('the kill', async () => killed ?? undefined, 5000);
  await killed;
  hold = null;
  assert.equal(hits.length, 1);
  assert.deepEqual(stored(dir).deliveries, [{ channel: 'hook', state: 'pending', attempts: 0 }], 'the send was not recorded');

  const second = driver(dir, 'serve', 3);
  await second.idle;
  second.child.kill('SIGKILL');
  await second.exited;
  assert.equal(hits.length, 2, 'at least once: sent again after the restart');
  assert.equal(hits[1]!.key, hits[0]!.key, 'the same Idempotency-Key');
  assert.equal(hits[1]!.body.id, hits[0]!.body.id, 'the same id');
  assert.deepEqual(hits[1]!.body, hits[0]!.body, 'the same message, byte for byte in content');
  assert.equal(new Set(hits.map((h) => h.key)).size, 1, 'a receiver deduplicating by the key keeps one');
  const after = stored(dir);
  assert.equal(after.messages.length, 1);
  assert.deepEqual(after.deliveries, [{ channel: 'hook', state: 'sent', attempts: 1 }]);
  assert.deepEqual(after.attempts, [{ ok: 1 }]);
});

test('an e-mail sent again after a failed attempt carries the same Message-ID', async () => {
  const mails: string[] = [];
  let reject = 1;
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        mails.push(raw);
        if (reject-- > 0) cb(Object.assign(new Error('try later'), { responseCode: 451 }));
        else cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  try {
    const dir = setup(`    - { name: hook, email: { smtp: { host: 127.0.0.1, port: ${port} }, from: "Pillarboard <pb@shop.example>", to: [oncall@shop.example] } }`);
    fs.writeFileSync(path.join(dir, 'workload.yaml'), fs.readFileSync(path.join(dir, 'workload.yaml'), 'utf8').replace('delays: [1h]', 'delays: [1s]'));
    const run = driver(dir, 'serve', 3);
    await waitFor('two e-mails', async () => (mails.length >= 2 ? true : undefined), 30_000);
    run.child.kill('SIGKILL');
    await run.exited;
    const ids = mails.map((m) => /^Message-ID: (.*)$/im.exec(m)?.[1]?.trim());
    assert.match(ids[0] ?? '', /^<pillarboard-[0-9a-f-]{36}@shop\.example>$/);
    assert.equal(ids[1], ids[0]);
  } finally {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
});
