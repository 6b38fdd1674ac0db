import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { silentLogger } from '../server/log.js';
import { ReportArchive } from '../server/reports/archive.js';
import { SqliteReportRepository } from '../server/reports/sqliteArchive.js';
import { storeReportSources } from '../server/reports/read.js';
import { ReportService } from '../server/reports/service.js';
import type { WeeklyReportSettings } from '../server/reports/settings.js';
import { parseWeek, weekRange } from '../server/reports/week.js';
import { createMetrics } from '../server/telemetry/metrics.js';
import { testStore } from './support/evaluation.js';
import { closedPortUrl, readBody, serve, type LocalServer } from './support/local-server.js';
import { freePort } from './support/real-binaries.js';
import { eventReader, REPORT_AT, seedAll, seededContext, TZ } from './support/reports-fixtures.js';
import { systemClock, type Clock } from '../server/clock.js';
import { clockAt, FakeClock, settle } from './support/fake-clock.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

const mails: Mail[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
const hooks: Array<{ path: string; body: string; auth?: string }> = [];
let receiver: LocalServer;
let flakyCalls = 0;
/** Requests to /hang: never answered (until the file's end). */
const hanging: Array<import('node:http').ServerResponse> = [];

before(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'reports' && auth.password === 's3cret') return cb(null, { user: auth.username });
      cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  receiver = await serve(async (req, res) => {
    const body = await readBody(req);
    if (req.url === '/flaky') {
      flakyCalls += 1;
      if (flakyCalls <= 2) {
        res.writeHead(500).end('temporarily broken');
        return;
      }
    }
    if (req.url === '/hang') {
      hanging.push(res);
      return;
    }
    if (req.url?.split('?')[0] === '/always-down') {
      res.writeHead(503).end('down for maintenance');
      return;
    }
    hooks.push({ path: req.url ?? '', body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    res.writeHead(200).end('ok');
  });
});

after(async () => {
  for (const res of hanging) res.destroy();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await receiver.close();
});

const FAKE_PDF = Buffer.from('%PDF-1.4 fake report\n');

/** Timers requested of the clock, in order: retry waits and attempt bounds (the waits themselves are real, and short). */
let waits: number[] = [];
const clock: Clock = {
  ...clockAt(() => REPORT_AT),
  setTimeout: (fn, ms) => (waits.push(ms), systemClock.setTimeout(fn, ms)),
};

function service(settings: Partial<WeeklyReportSettings>) {
  waits = [];
  const { store } = testStore({ now: () => REPORT_AT });
  seedAll(store);
  const archive = new ReportArchive(store.db);
  const svc = new ReportService({
    archive: new SqliteReportRepository(archive),
    sources: storeReportSources(store, () => eventReader()),
    workload: () => seededContext(settings),
    pdf: { render: async () => FAKE_PDF },
    log: silentLogger,
    clock,
    channelOptions: { timeoutMs: 5_000 },
  });
  after(() => svc.stop());
  return { svc, archive, week: weekRange(parseWeek('2026-W47'), TZ) };
}

const smtpSettings = (port: number, extra: Partial<NonNullable<WeeklyReportSettings['email']>['smtp']> = {}): WeeklyReportSettings['email'] => ({
  smtp: { host: '127.0.0.1', port, secure: false, requireTls: false, tls: { rejectUnauthorized: true }, ...extra },
  from: 'Pillarboard <pillarboard@example.test>',
  to: ['ops@example.test'],
  cc: [],
});

test('e-mail reaches a real SMTP server with an HTML body, a plain-text alternative and the PDF attached', async () => {
  const { svc, archive, week } = service({
    formats: ['html', 'pdf'],
    email: smtpSettings(smtpPort, { auth: { user: 'reports', password: 's3cret' } }),
  });
  const run = await svc.run(week, 'api', { send: true });
  assert.ok(run.delivery);
  assert.deepEqual(await run.delivery, [{ channel: 'email', ok: true, attempts: 1, error: null }]);
  const mail = mails.at(-1)!;
  assert.equal(mail.user, 'reports', 'logged in with the configured credentials');
  assert.deepEqual(mail.to, ['ops@example.test']);
  assert.equal(mail.from, 'pillarboard@example.test');
  assert.match(mail.raw, /^Subject: =\?UTF-8\?Q\?Web_shop_=E2=80=94_weekly_report_2026-W4/m);
  assert.match(mail.raw, /Content-Type: multipart\/alternative/);
  assert.match(mail.raw, /Content-Type: text\/plain/);
  assert.match(mail.raw, /Content-Type: text\/html/);
  assert.match(mail.raw, /Content-Type: application\/pdf; name=pillarboard-shop-2026-W47\.pdf/);
  assert.match(mail.raw, /Content-Disposition: attachment; filename=pillarboard-shop-2026-W47\.html/);
  assert.ok(mail.raw.includes(FAKE_PDF.toString('base64').slice(0, 20)), 'the PDF bytes are attached');
  assert.deepEqual(
    archive.deliveries('2026-W47').map((d) => [d.channel, d.attempt, d.ok, d.error]),
    [['email', 1, true, null]],
  );
});

test('a Slack-compatible webhook gets the chat summary as { text }, a JSON webhook the whole report', async () => {
  const { svc, week } = service({
    webhooks: [
      { name: 'slack-1', url: `${receiver.url}/slack`, format: 'slack', headers: {} },
      { name: 'json-2', url: `${receiver.url}/json`, format: 'json', headers: { authorization: 'Bearer t0ken' } },
    ],
  });
  const run = await svc.run(week, 'api', { send: true });
  const results = await run.delivery!;
  assert.deepEqual(results.map((r) => [r.channel, r.ok]), [['slack-1', true], ['json-2', true]]);
  const slack = JSON.parse(hooks.find((h) => h.path === '/slack')!.body) as { text: string };
  assert.deepEqual(Object.keys(slack), ['text']);
  assert.match(slack.text, /^Web shop — weekly report 2026-W47/);
  assert.match(slack.text, /• Customers can buy: missed — 80\.2% \(−14\.8 pts\)/);
  const json = hooks.find((h) => h.path === '/json')!;
  assert.equal(json.auth, 'Bearer t0ken');
  const body = JSON.parse(json.body) as { event: string; week: string; report: { schemaVersion: number; outcomes: unknown[] } };
  assert.equal(body.event, 'pillarboard.weekly_report');
  assert.equal(body.week, '2026-W47');
  assert.equal(body.report.schemaVersion, 1);
  assert.equal(body.report.outcomes.length, 2);
});

test('a webhook that fails twice and then succeeds is retried with backoff and every attempt is recorded', async () => {
  flakyCalls = 0;
  const { svc, archive, week } = service({
    retryDelaysMs: [20, 40, 80],
    webhooks: [{ name: 'flaky', url: `${receiver.url}/flaky`, format: 'json', headers: {} }],
  });
  const run = await svc.run(week, 'api', { send: true });
  assert.deepEqual(await run.delivery!, [{ channel: 'flaky', ok: true, attempts: 3, error: null }]);
  assert.deepEqual(waits, [5_000, 20, 5_000, 40, 5_000], "each attempt's 5 s bound; 20 ms, then 40 ms, between attempts");
  assert.deepEqual(
    archive.deliveries('2026-W47').map((d) => [d.channel, d.attempt, d.ok, d.error]),
    [
      ['flaky', 1, false, `webhook flaky (${receiver.url}) answered HTTP 500: temporarily broken`],
      ['flaky', 2, false, `webhook flaky (${receiver.url}) answered HTTP 500: temporarily broken`],
      ['flaky', 3, true, null],
    ],
  );
  const metrics = createMetrics({ version: 't', collectors: () => [], reports: () => archive });
  const text = await metrics.registry.metrics();
  assert.match(text, /^pillarboard_report_delivery_failures_total\{channel="flaky"\} 2$/m);
  assert.match(text, new RegExp(`^pillarboard_report_last_success_timestamp_seconds\\{channel="flaky"\\} ${REPORT_AT / 1000}$`, 'm'));
  assert.match(text, new RegExp(`^pillarboard_report_last_success_timestamp_seconds\\{channel="archive"\\} ${REPORT_AT / 1000}$`, 'm'));
});

test('an unreachable SMTP server is a recorded failure, retried then given up, and does not hold back a webhook', async () => {
  const deadPort = await freePort();
  const { svc, archive, week } = service({
    retryDelaysMs: [10, 10],
    email: smtpSettings(deadPort),
    webhooks: [{ name: 'chat', url: `${receiver.url}/chat`, format: 'slack', headers: {} }],
  });
  const run = await svc.run(week, 'api', { send: true });
  // run() returned before any delivery finished: the caller (API, schedule) is never blocked.
  let delivered = false;
  void run.delivery!.then(() => (delivered = true));
  await Promise.resolve();
  assert.equal(delivered, false);
  assert.equal(archive.deliveries('2026-W47').filter((d) => d.channel === 'email').length, 0, 'no e-mail attempt recorded yet');
  const results = await run.delivery!;
  const email = results.find((r) => r.channel === 'email')!;
  assert.equal(email.ok, false);
  assert.equal(email.attempts, 3);
  assert.match(email.error!, new RegExp(`e-mail via 127\\.0\\.0\\.1:${deadPort} failed \\(ESOCKET\\): connect ECONNREFUSED`));
  assert.deepEqual(results.find((r) => r.channel === 'chat'), { channel: 'chat', ok: true, attempts: 1, error: null });
  const attempts = archive.deliveries('2026-W47');
  assert.deepEqual(attempts.filter((a) => a.channel === 'email').map((a) => [a.attempt, a.ok]), [[1, false], [2, false], [3, false]]);
  const text = await createMetrics({ version: 't', collectors: () => [], reports: () => archive }).registry.metrics();
  assert.match(text, /^pillarboard_report_delivery_failures_total\{channel="email"\} 3$/m);
  assert.doesNotMatch(text, /pillarboard_report_last_success_timestamp_seconds\{channel="email"\}/);
});

test('a webhook error names the channel and origin but never the URL path, which may hold a token', async () => {
  const { svc, archive, week } = service({
    retryDelaysMs: [],
    webhooks: [
      { name: 'down', url: `${receiver.url}/always-down?token=SECRET`, format: 'slack', headers: {} },
      { name: 'gone', url: `${await closedPortUrl('/services/T000/B000/SECRET')}`, format: 'slack', headers: {} },
    ],
  });
  await (await svc.run(week, 'api', { send: true })).delivery;
  const errors = archive.deliveries('2026-W47').map((d) => d.error ?? '');
  assert.match(errors[0]! + errors[1]!, /answered HTTP 503: down for maintenance/);
  assert.match(errors.join(' '), /webhook gone \(http:\/\/127\.0\.0\.1:\d+\) could not be reached: ECONNREFUSED/);
  for (const e of errors) assert.doesNotMatch(e, /SECRET|services/);
});

test('stopping the service cancels a pending retry', async () => {
  const { svc, archive, week } = service({
    retryDelaysMs: [60_000],
    webhooks: [{ name: 'down', url: `${receiver.url}/always-down`, format: 'json', headers: {} }],
  });
  const run = await svc.run(week, 'api', { send: true });
  // Wait for the first attempt to be recorded, then stop while the retry waits a minute.
  for (let i = 0; i < 250 && svc.delivery.pendingRetries === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(archive.deliveries('2026-W47').length, 1, 'the first attempt is recorded');
  assert.equal(svc.delivery.pendingRetries, 1);
  svc.stop();
  assert.deepEqual(await run.delivery!, [{ channel: 'down', ok: false, attempts: 1, error: `webhook down (${receiver.url}) answered HTTP 503: down for maintenance` }]);
});

test("a webhook that never answers fails at the channel's bound, measured on the service's clock", async () => {
  const fake = new FakeClock(REPORT_AT);
  const { store } = testStore({ now: () => REPORT_AT });
  seedAll(store);
  const archive = new ReportArchive(store.db);
  const svc = new ReportService({
    archive: new SqliteReportRepository(archive),
    sources: storeReportSources(store, () => eventReader()),
    workload: () => seededContext({ retryDelaysMs: [], webhooks: [{ name: 'slow', url: `${receiver.url}/hang`, format: 'json', headers: {} }] }),
    pdf: { render: async () => FAKE_PDF },
    log: silentLogger,
    clock: fake,
    channelOptions: { timeoutMs: 5_000 },
  });
  after(() => svc.stop());
  const run = await svc.run(weekRange(parseWeek('2026-W47'), TZ), 'api', { send: true });
  for (let i = 0; i < 250 && hanging.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(hanging.length, 1, 'the request reached the receiver, which holds it');
  assert.deepEqual(fake.armed(), [REPORT_AT + 5_000], "the attempt's deadline is a timer of the service's clock");
  let settled = false;
  void run.delivery!.then(() => (settled = true));
  await fake.advanceAsync(4_999);
  assert.equal(settled, false, 'still waiting 1 ms before the bound');
  await fake.advanceAsync(1);
  assert.deepEqual(await run.delivery!, [{ channel: 'slow', ok: false, attempts: 1, error: `webhook slow (${receiver.url}) could not be reached: no answer within 5 s` }]);
  await settle();
});
