import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { Runtime } from '../server/runtime.js';
import { loadWorkloadText } from '../server/workload/index.js';
import { FakeClock } from './support/fake-clock.js';
import { readBody, serve, type LocalServer } from './support/local-server.js';
import { promtoolCheckMetrics, PROMTOOL_BIN } from './support/promtool.js';
import { requireBinary, waitFor } from './support/real-binaries.js';
import { ALERTMANAGER_BIN, startAlertmanager, type Alertmanager } from './support/alertmanager.js';
import { silentLogger } from '../server/log.js';
import { tempDir } from './support/tmp.js';
import { testRegistry, lines } from './workload-helpers.js';
import { captureIo } from './support/capture-io.js';
import { runSilenceAdd, runSilenceExpire, runSilenceList } from '../server/commands/silence.js';

const MIN = 60_000;

/** Received webhook bodies; `failNext` answers that many requests with HTTP 500 first. */
const received: Array<{ path: string; body: any }> = [];
let failNext = 0;
const mails: string[] = [];
let receiver: LocalServer;
let smtp: SMTPServer;
let smtpPort = 0;

before(async () => {
  receiver = await serve(async (req, res) => {
    const body = await readBody(req);
    if (failNext > 0) {
      failNext--;
      res.writeHead(500).end('receiver broken');
      return;
    }
    received.push({ path: req.url ?? '', body: JSON.parse(body) });
    res.writeHead(200).end('ok');
  });
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        mails.push(raw);
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
after(async () => {
  await receiver.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

function workload(rule: string[], channels: string[] = [`    - { name: hook, webhook: { url: "${receiver.url}/hook", format: json } }`]) {
  return lines(
    'workload: { id: shop, title: "Web shop" }',
    'evaluation: { interval: 60s }',
    'indicators:',
    '  - id: latency',
    '    title: "Checkout latency"',
    '    pillar: performance_efficiency',
    '    unit: seconds',
    '    series: app_latency_seconds',
    '    aggregate: max',
    '    window: 30s',
    '    objective: { max: 0.3, warning: 0.5, critical: 1.0 }',
    'outcomes:',
    '  - id: buy',
    '    title: "Customers can buy"',
    '    indicators: [{ ref: latency, key: true }]',
    'notifications:',
    '  base_url: https://pillarboard.example/',
    '  channels:',
    ...channels,
    '  retry: { delays: [30s, 2m] }',
    '  rules:',
    ...rule,
  );
}

/** A runtime over `dir` (reused across a restart) on a fake clock, loaded without schedules. */
function open(dir: string, yaml: string, clock: FakeClock, latencyNow?: number) {
  const configPath = path.join(dir, 'workload.yaml');
  fs.writeFileSync(configPath, yaml);
  const runtime = new Runtime({ configPath, dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: '0.0.0-test', watch: false, clock });
  if (latencyNow !== undefined) runtime.store.writeSamples([{ name: 'app_latency_seconds', labels: { collector: 'app' }, ts: clock.now(), value: latencyNow }]);
  runtime.load(false, { evaluate: true });
  return runtime;
}

/** Moves the clock `minutes` on, writes a latency sample then and evaluates; waits for deliveries. */
async function step(runtime: Runtime, clock: FakeClock, minutes: number, latency: number) {
  await runtime.notifications.idle(); // what the pass at load decided is sent before time moves
  await clock.advanceAsync(minutes * MIN);
  runtime.store.writeSamples([{ name: 'app_latency_seconds', labels: { collector: 'app' }, ts: clock.now(), value: latency }]);
  runtime.evaluator.evaluateNow();
  await runtime.notifications.idle();
}

const outcomeMessages = () => received.filter((r) => r.body.subject?.kind === 'outcome');

test('a status that flaps back within `for:` sends nothing; one that holds sends one message, and the recovery is sent once', async () => {
  received.length = 0;
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(tempDir(), workload(['    - { id: buy-bad, outcomes: [buy], statuses: [critical], for: 5m, channels: [hook] }']), clock);
  try {
    await step(runtime, clock, 1, 0.1); // ok
    await step(runtime, clock, 1, 2); // critical at 12:02
    await step(runtime, clock, 2, 0.1); // ok again at 12:04: damped
    const badFrom = clock.now() + MIN;
    await step(runtime, clock, 1, 2); // critical from 12:05
    for (let i = 0; i < 4; i++) await step(runtime, clock, 1, 2); // 12:09: held 4 min
    assert.equal(received.length, 0, 'not yet held for 5 minutes');
    await step(runtime, clock, 1, 2); // 12:10: held 5 min
    assert.equal(received.length, 1);
    const m = received[0]!.body;
    assert.equal(m.event, 'pillarboard.notification');
    assert.equal(m.kind, 'firing');
    assert.deepEqual(m.subject, { kind: 'outcome', id: 'buy', title: 'Customers can buy' });
    assert.equal(m.status, 'critical');
    assert.equal(m.since, badFrom);
    assert.equal(m.link, 'https://pillarboard.example/outcomes/buy');
    assert.equal(m.headline, 'Outcome “Customers can buy” is critical');
    assert.match(m.text, /^Critical since 2026-12-07 12:05 UTC \(5m ago\)/);
    assert.match(m.text, /Pulled down by:\n- Checkout latency: critical — 2 s against a target of ≤ 300 ms/);
    await step(runtime, clock, 1, 2); // still critical: no repeat configured
    await step(runtime, clock, 1, 0.1); // recovered
    await step(runtime, clock, 1, 0.1);
    await step(runtime, clock, 1, 0.7); // warning: not a notifying status here, and already recovered
    assert.deepEqual(received.map((r) => r.body.kind), ['firing', 'recovery']);
    assert.equal(received[1]!.body.headline, 'Outcome “Customers can buy” recovered: OK');
    assert.equal(received[1]!.body.previous, 'critical');
  } finally {
    await runtime.close(1000);
  }
});

test('`repeat:` reminds while the status holds, and an escalation from warning to critical is a new message', async () => {
  received.length = 0;
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(tempDir(), workload(['    - { id: lat, indicators: [latency], repeat: 10m, channels: [hook] }']), clock);
  try {
    await step(runtime, clock, 1, 0.7); // warning: fires at once (for: 0)
    await step(runtime, clock, 5, 0.7);
    await step(runtime, clock, 5, 0.7); // 10 min since the first: reminder
    await step(runtime, clock, 1, 3); // critical: escalation
    assert.deepEqual(received.map((r) => `${r.body.kind}:${r.body.status}`), ['firing:warning', 'repeat:warning', 'firing:critical']);
    assert.equal(received[2]!.body.previous, 'warning');
    assert.equal(received[0]!.body.measure, '700 ms against a target of ≤ 300 ms');
  } finally {
    await runtime.close(1000);
  }
});

test('a failing webhook is retried on the configured delays, every attempt is recorded, and /metrics counts them (promtool-clean)', { skip: requireBinary(PROMTOOL_BIN) }, async () => {
  received.length = 0;
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(tempDir(), workload(['    - { id: buy-bad, outcomes: [buy], statuses: [critical], channels: [hook] }']), clock);
  try {
    failNext = 2;
    await step(runtime, clock, 1, 3);
    assert.equal(received.length, 0);
    await clock.advanceAsync(30_000); // second attempt after 30 s: fails too
    await runtime.notifications.idle();
    assert.equal(received.length, 0);
    await clock.advanceAsync(2 * MIN - 1000);
    await runtime.notifications.idle();
    assert.equal(received.length, 0, 'the third attempt waits the full 2 minutes');
    await clock.advanceAsync(1000);
    await runtime.notifications.idle();
    assert.equal(received.length, 1);
    const [n] = runtime.notifications.recent(5);
    assert.deepEqual(n!.deliveries, [{ channel: 'hook', state: 'sent', attempts: 3, lastError: null }]);
    const attempts = runtime.notifications.attempts(n!.id);
    assert.deepEqual(attempts.map((a) => [a.ok, a.at - attempts[0]!.at]), [[false, 0], [false, 30_000], [true, 150_000]]);
    assert.match(attempts[0]!.error ?? '', /webhook hook \(http:\/\/127\.0\.0\.1:\d+\) answered HTTP 500: receiver broken/);
    const text = (await request(createApp(runtime.apiDeps())).get('/metrics').expect(200)).text;
    assert.match(text, /^pillarboard_notifications_total\{channel="hook",result="failure"\} 2$/m);
    assert.match(text, /^pillarboard_notifications_total\{channel="hook",result="success"\} 1$/m);
    const checked = await promtoolCheckMetrics(text);
    assert.equal(checked.code, 0, checked.output);
  } finally {
    failNext = 0;
    await runtime.close(1000);
  }
});

test('a restart between the change and the send neither loses the message nor sends it twice', async () => {
  received.length = 0;
  const dir = tempDir();
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const yaml = workload(['    - { id: buy-bad, outcomes: [buy], statuses: [critical], channels: [hook] }']);
  let runtime = open(dir, yaml, clock);
  failNext = 1;
  await step(runtime, clock, 1, 3); // decided; its first attempt fails
  await runtime.close(1000);
  assert.equal(received.length, 0);
  // Restarted an hour later: the pending delivery is sent at start, once; the next pass sends nothing new.
  await clock.advanceAsync(60 * MIN);
  runtime = open(dir, yaml, clock, 3); // still critical when it comes back
  try {
    runtime.notifications.start();
    await runtime.notifications.idle();
    assert.equal(received.length, 1);
    await step(runtime, clock, 1, 3);
    await step(runtime, clock, 1, 3);
    assert.equal(received.length, 1, 'the state survived: the outcome is still critical, nothing new to say');
    assert.deepEqual(runtime.notifications.recent(5).map((n) => n.kind), ['firing']);
    // Counted from the stored attempts: the one before the restart too.
    const text = (await request(createApp(runtime.apiDeps())).get('/metrics').expect(200)).text;
    assert.match(text, /^pillarboard_notifications_total\{channel="hook",result="failure"\} 1$/m);
    assert.match(text, /^pillarboard_notifications_total\{channel="hook",result="success"\} 1$/m);
  } finally {
    await runtime.close(1000);
  }
});

test('e-mail notifications go through a real SMTP server with the headline as subject and the dashboard link', async () => {
  mails.length = 0;
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(
    tempDir(),
    workload(
      ['    - { id: buy-bad, outcomes: [buy], statuses: [critical], channels: [mail] }'],
      [`    - { name: mail, email: { smtp: { host: 127.0.0.1, port: ${smtpPort} }, from: pb@example.com, to: [oncall@example.com] } }`],
    ),
    clock,
  );
  try {
    await step(runtime, clock, 1, 3);
    await waitFor('the e-mail', async () => (mails.length > 0 ? true : undefined), 10_000, 20);
    const raw = mails[0]!.replace(/=\r?\n/g, '');
    assert.match(raw, /^Subject: =\?UTF-8\?Q\?=5BWeb_shop=5D_Outcome_=E2=80=9CCustomer/m);
    assert.match(raw, /^# Outcome =E2=80=9CCustomers can buy=E2=80=9D is critical\r?$/m);
    assert.match(raw, /Pulled down by:/);
    assert.match(raw, /https:\/\/pillarboard\.example\/outcomes\/buy/);
    assert.deepEqual(runtime.notifications.recent(1)[0]!.deliveries.map((d) => d.state), ['sent']);
  } finally {
    await runtime.close(1000);
  }
});

test('a silence from the CLI keeps a message from being sent but lets the rule move on; once expired, the next change is sent', async () => {
  received.length = 0;
  const dir = tempDir();
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(dir, workload(['    - { id: buy-bad, outcomes: [buy], statuses: [critical], channels: [hook] }']), clock);
  const db = path.join(dir, 'pb.db');
  const cli = () => {
    const c = captureIo();
    return { ...c.io, clock, stdout: c.out, stderr: c.err };
  };
  try {
    const add = cli();
    assert.equal(runSilenceAdd(db, { outcome: 'buy', for: '2h', reason: 'checkout migration', by: 'ana' }, add), 0);
    assert.equal(add.stdout().trim(), '1');
    await step(runtime, clock, 1, 3); // critical while silenced
    await step(runtime, clock, 1, 0.1); // recovery while silenced
    assert.equal(received.length, 0);
    assert.deepEqual(runtime.notifications.recent(5).map((n) => [n.kind, n.silencedBy, n.deliveries.length]), [['recovery', 1, 0], ['firing', 1, 0]]);
    const list = cli();
    runSilenceList(db, {}, list);
    assert.match(list.stdout(), /^1\s+outcome buy\s+active\s+2026-12-07T12:00:00Z\s+2026-12-07T14:00:00Z\s+ana\s+checkout migration$/m);
    const expire = cli();
    assert.equal(runSilenceExpire(db, '1', expire), 0);
    assert.equal(runSilenceExpire(db, '1', cli()), 2, 'already ended');
    await step(runtime, clock, 1, 3);
    assert.deepEqual(received.map((r) => `${r.body.kind}:${r.body.subject.id}`), ['firing:buy']);
    // A silence on another outcome does not apply.
    assert.equal(runSilenceAdd(db, { outcome: 'other', for: '1h', reason: 'x' }, cli()), 0);
    await step(runtime, clock, 1, 0.1);
    assert.deepEqual(received.map((r) => r.body.kind), ['firing', 'recovery']);
  } finally {
    await runtime.close(1000);
  }
});

test('silence add refuses, with exit 2 naming the flag, no target, two targets, an unknown pillar, a bad duration and a missing reason', async () => {
  const dir = tempDir();
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(dir, workload(['    - { id: r, outcomes: [buy], statuses: [critical], channels: [hook] }']), clock);
  const db = path.join(dir, 'pb.db');
  for (const [flags, why] of [
    [{ for: '1h', reason: 'x' }, /--outcome: name exactly one of outcome, pillar, indicator, rule \(got none\)/],
    [{ outcome: 'buy', rule: 'r', for: '1h', reason: 'x' }, /--rule: name exactly one of .*\(got outcome, rule\)/],
    [{ pillar: 'reliabilty', for: '1h', reason: 'x' }, /--pillar: "reliabilty" is not a pillar/],
    [{ outcome: 'buy', for: '2', reason: 'x' }, /^pillarboard: --for: /],
    [{ outcome: 'buy', for: '1h' }, /--reason: say why/],
    [{ outcome: 'buy', until: '2026-12-07T11:00:00Z', reason: 'x' }, /--until: .* is not in the future/],
  ] as const) {
    const c = captureIo();
    assert.equal(runSilenceAdd(db, flags, { ...c.io, clock }), 2, JSON.stringify(flags));
    assert.match(c.err(), why);
  }
  const list = captureIo();
  runSilenceList(db, { all: true }, { ...list.io, clock });
  assert.doesNotMatch(list.out(), /^\d/m, 'nothing was stored');
  await runtime.close(1000);
});

test('silences over the API: POST needs a write token and names a bad field, GET lists them, DELETE expires one; GET /api/notifications shows what a silence held back', async () => {
  received.length = 0;
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(tempDir(), workload(['    - { id: lat, indicators: [latency], statuses: [critical], channels: [hook] }']), clock);
  const app = createApp(runtime.apiDeps());
  const write = runtime.tokens.create('ops', 'write').token;
  try {
    await request(app).post('/api/silences').send({ indicator: 'latency', for: '1h', reason: 'deploy' }).expect(401);
    const bad = await request(app).post('/api/silences').set('Authorization', `Bearer ${write}`).send({ indicator: 'latency', for: '1 hour', reason: 'deploy' }).expect(400);
    assert.equal(bad.body.errors[0].name, 'for');
    const created = await request(app).post('/api/silences').set('Authorization', `Bearer ${write}`).send({ indicator: 'latency', for: '1h', reason: 'deploy', by: 'ana' }).expect(201);
    assert.deepEqual({ ...created.body, id: undefined }, {
      id: undefined,
      kind: 'indicator',
      target: 'latency',
      startsAt: '2026-12-07T12:00:00.000Z',
      endsAt: '2026-12-07T13:00:00.000Z',
      state: 'active',
      reason: 'deploy',
      createdBy: 'ana',
      createdAt: '2026-12-07T12:00:00.000Z',
    });
    await step(runtime, clock, 1, 3);
    assert.equal(received.length, 0, JSON.stringify(received.map((r) => [r.body.headline, r.body.at])));
    const listed = await request(app).get('/api/notifications').expect(200);
    assert.equal(listed.body.notifications[0].silencedBy, created.body.id);
    assert.deepEqual(listed.body.notifications[0].deliveries, []);
    assert.equal((await request(app).get('/api/silences').expect(200)).body.silences.length, 1);
    const expired = await request(app).delete(`/api/silences/${created.body.id}`).set('Authorization', `Bearer ${write}`).expect(200);
    assert.equal(expired.body.state, 'expired');
    await request(app).delete(`/api/silences/${created.body.id}`).set('Authorization', `Bearer ${write}`).expect(404);
    assert.equal((await request(app).get('/api/silences').expect(200)).body.silences.length, 0);
    assert.equal((await request(app).get('/api/silences?all=true').expect(200)).body.silences.length, 1);
  } finally {
    await runtime.close(1000);
  }
});

test('quiet hours hold a message until they end (in the workload time zone); a rule with quiet_hours: false sends at once', async () => {
  received.length = 0;
  // 23:00 in Berlin (22:00 UTC), a Monday; quiet from 22:00 to 07:00 local.
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 21, 59, 0));
  const yaml = workload([
    '    - { id: buy-bad, outcomes: [buy], statuses: [critical], channels: [hook] }',
    '    - { id: page, indicators: [latency], statuses: [critical], channels: [hook], quiet_hours: false }',
  ])
    .replace('workload: { id: shop, title: "Web shop" }', 'workload: { id: shop, title: "Web shop", timezone: Europe/Berlin }')
    .replace('  retry: { delays: [30s, 2m] }', '  retry: { delays: [30s, 2m] }\n  quiet_hours: [{ from: "22:00", to: "07:00" }]');
  const runtime = open(tempDir(), yaml, clock);
  try {
    await step(runtime, clock, 1, 3); // 23:00 Berlin: critical
    assert.deepEqual(received.map((r) => r.body.subject.kind), ['indicator'], 'the page goes out; the outcome waits');
    const held = runtime.notifications.recent(5).find((n) => n.subject === 'outcome:buy')!;
    assert.deepEqual(held.deliveries, [{ channel: 'hook', state: 'pending', attempts: 0, lastError: null }]);
    await clock.advanceAsync(Date.UTC(2026, 11, 8, 5, 59, 0) - clock.now()); // 06:59 Berlin
    await runtime.notifications.idle();
    assert.equal(received.length, 1);
    await clock.advanceAsync(MIN); // 07:00 Berlin
    await runtime.notifications.idle();
    assert.deepEqual(received.map((r) => r.body.subject.kind), ['indicator', 'outcome']);
    assert.equal(received[1]!.body.since, Date.UTC(2026, 11, 7, 22, 0, 0), 'it says since when');
  } finally {
    await runtime.close(1000);
  }
});

describe('notifications to a real Alertmanager', { skip: requireBinary(ALERTMANAGER_BIN) }, () => {
  let am: Alertmanager;
  before(async () => {
    am = await startAlertmanager('route: { receiver: none }\nreceivers: [{ name: none }]\n');
  });
  after(() => am?.stop());

  test('a critical outcome becomes an active alert labelled with outcome and status and linking the dashboard; its recovery resolves it', async () => {
    // Alertmanager judges startsAt/endsAt by its own clock: the fake clock starts at real time.
    const clock = new FakeClock(Math.floor(Date.now() / MIN) * MIN - 10 * MIN);
    const runtime = open(tempDir(), workload(['    - { id: buy-bad, outcomes: [buy], statuses: [critical], channels: [am] }'], [`    - { name: am, alertmanager: { url: "${am.url}" } }`]), clock);
    try {
      await step(runtime, clock, 1, 3);
      const [firing] = await am.alerts(['outcome="buy"']);
      assert.ok(firing, 'the alert is in Alertmanager');
      assert.deepEqual(firing.labels, { alertname: 'PillarboardStatus', workload: 'shop', outcome: 'buy', status: 'critical', severity: 'critical' });
      assert.equal(firing.status.state, 'active');
      assert.equal(firing.generatorURL, 'https://pillarboard.example/outcomes/buy');
      assert.equal(firing.annotations['summary'], 'Outcome “Customers can buy” is critical');
      assert.equal(Date.parse(firing.endsAt), clock.now() + 15 * MIN, 'active for 15 minutes unless posted again');
      // Still critical 5 minutes later: the alert is posted again, its end pushed back.
      for (let i = 0; i < 5; i++) await step(runtime, clock, 1, 3);
      const [kept] = await am.alerts(['outcome="buy"']);
      assert.equal(Date.parse(kept!.endsAt), clock.now() + 15 * MIN);
      assert.equal(kept!.startsAt, firing.startsAt);
      await step(runtime, clock, 1, 0.1);
      const active = await am.alerts(['outcome="buy"']);
      assert.deepEqual(active, [], 'resolved alerts leave the active list');
    } finally {
      await runtime.close(1000);
    }
  });
});

test("the workload check names the path of a rule that sends to an unknown channel or names an unknown outcome or pillar, and of a channel with two kinds", () => {
  const check = (...body: string[]) => {
    const r = loadWorkloadText(lines('workload: { id: w, title: W }', 'collectors: []', 'notifications:', ...body), { file: 'workload.yaml', registry: testRegistry(), env: {} });
    assert.equal(r.ok, false);
    return r.ok ? [] : r.errors;
  };
  const unknown = check('  channels: [{ name: hook, webhook: { url: "http://127.0.0.1:9/x" } }]', '  rules: [{ id: r, outcomes: ["*"], channels: [hook, pager] }]');
  assert.equal(unknown[0]?.path, 'notifications.rules[0].channels[1]');
  assert.match(unknown[0]!.message, /unknown channel "pager"; expected one of: hook/);
  assert.equal(unknown[0]?.line, 5);
  const two = check('  channels: [{ name: x, webhook: { url: "http://127.0.0.1:9/x" }, alertmanager: { url: "http://127.0.0.1:9" } }]');
  assert.equal(two[0]?.path, 'notifications.channels[0]');
  assert.match(two[0]!.message, /set exactly one of email, webhook, alertmanager \(found webhook, alertmanager\)/);
  const flap = check('  channels: [{ name: hook, webhook: { url: "http://127.0.0.1:9/x" } }]', '  rules: [{ id: r, outcomes: ["*"], for: 5, channels: [hook] }]');
  assert.equal(flap[0]?.path, 'notifications.rules[0].for');
  const typo = check(
    '  channels: [{ name: hook, webhook: { url: "http://127.0.0.1:9/x" } }]',
    '  rules: [{ id: r, outcomes: [checkuot], pillars: [reliabilty], indicators: ["*"], channels: [hook] }]',
    'indicators: [{ id: lat, title: L, pillar: reliability, series: x, unit: s, objective: { max: 1 } }]',
    'outcomes: [{ id: checkout, title: C, indicators: [lat] }]',
  );
  assert.deepEqual(typo.map((e) => e.path), ['notifications.rules[0].outcomes[0]', 'notifications.rules[0].pillars[0]']);
  assert.match(typo[0]!.message, /unknown outcome "checkuot"; did you mean "checkout"\?/);
  const quiet = check('  quiet_hours: [{ days: [mon, fri], from: "25:00", to: "07:00" }, { days: [someday], from: "01:00", to: "02:00" }]');
  assert.deepEqual(quiet.map((e) => e.path), ['notifications.quiet_hours[0].from', 'notifications.quiet_hours[1].days[0]']);
  assert.match(quiet[0]!.message, /expected a time HH:MM/);
});
