import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorkloadText, redactWorkload } from '../server/workload/index.js';
import { testRegistry } from './workload-helpers.js';

const load = (text: string, env: Record<string, string> = {}) => loadWorkloadText(`workload: { id: shop, title: Shop }\n${text}`, { file: 'w.yaml', registry: testRegistry(), env });

test('without a reports section the weekly report runs Monday 08:00, archives HTML and PDF, and sends nowhere', () => {
  const r = load('');
  assert.ok(r.ok);
  assert.deepEqual(r.workload.reports, {
    weekly: { enabled: true, cron: '0 8 * * MON', formats: ['html', 'pdf'], paper: 'A4', webhooks: [], retryDelaysMs: [60_000, 300_000, 1_800_000] },
  });
});

test('the reports section reads e-mail, webhooks and retry delays, with ${ENV} secrets, and the API redacts them', () => {
  const r = load(
    `reports:
  weekly:
    cron: "30 7 * * MON"
    timezone: Europe/Berlin
    formats: [pdf, md]
    paper: Letter
    base_url: https://pillarboard.example
    email:
      smtp: { host: smtp.example.com, port: "\${SMTP_PORT}", auth: { user: "\${SMTP_USER}", pass: "\${SMTP_PASSWORD}" }, tls: { reject_unauthorized: false } }
      from: "Pillarboard <pb@example.com>"
      to: [ops@example.com]
    webhooks:
      - { url: "\${SLACK_WEBHOOK_URL}", format: slack }
      - { url: https://hooks.example/pb, name: archive-bot, headers: { Authorization: "Bearer \${HOOK_TOKEN}" } }
    retry: { delays: [10s, 2m] }
`,
    { SMTP_PORT: '2525', SMTP_USER: 'pb', SMTP_PASSWORD: 'hunter2', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X', HOOK_TOKEN: 'abc' },
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  const w = r.workload.reports.weekly;
  assert.equal(w.cron, '30 7 * * MON');
  assert.equal(w.timezone, 'Europe/Berlin');
  assert.deepEqual(w.formats, ['pdf', 'md']);
  assert.equal(w.paper, 'Letter');
  assert.equal(w.baseUrl, 'https://pillarboard.example');
  assert.deepEqual(w.email?.smtp, { host: 'smtp.example.com', port: 2525, secure: false, requireTls: false, auth: { user: 'pb', password: 'hunter2' }, tls: { rejectUnauthorized: false } });
  assert.deepEqual(w.webhooks.map((h) => [h.name, h.format, h.url]), [
    ['slack-1', 'slack', 'https://hooks.slack.com/services/T/B/X'],
    ['archive-bot', 'json', 'https://hooks.example/pb'],
  ]);
  assert.deepEqual(w.retryDelaysMs, [10_000, 120_000]);
  const shown = JSON.stringify(redactWorkload(r.workload, r.secretPaths));
  for (const secret of ['hunter2', 'hooks.slack.com', 'abc']) assert.ok(!shown.includes(secret), `${secret} is redacted`);
});

test('report settings problems are all reported with their position: bad cron, zone, format, port, address, URL', () => {
  const r = load(`reports:
  weekly:
    cron: "0 8 * * FUNDAY"
    timezone: Mars/Olympus
    formats: [docx]
    email:
      smtp: { host: smtp.example.com, port: 70000 }
      from: nobody
      to: []
    webhooks:
      - { url: ftp://x.example, name: a }
      - { url: https://y.example, name: a }
`);
  assert.ok(!r.ok);
  const lines = r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`);
  // Line numbers count the workload: line the helper puts first.
  const expect = [
    /^4:11 reports\.weekly\.cron: invalid cron expression "0 8 \* \* FUNDAY": configuration entry 5 \(FUNDAY\) contains illegal characters/,
    /^5:15 reports\.weekly\.timezone: unknown time zone/,
    /^6:15 reports\.weekly\.formats\[0\]: invalid option: expected one of "json"\|"md"\|"html"\|"pdf"/,
    /^8:45 reports\.weekly\.email\.smtp\.port: too big/,
    /^9:13 reports\.weekly\.email\.from: must be an e-mail address/,
    /^10:11 reports\.weekly\.email\.to: needs at least one recipient/,
    /^12:16 reports\.weekly\.webhooks\[0\]\.url: must be an http:\/\/ or https:\/\/ URL/,
  ];
  for (const re of expect) assert.ok(lines.some((l) => re.test(l)), `${re} in\n${lines.join('\n')}`);
});

test('two webhooks with the same name (given or defaulted) are refused', () => {
  const r = load(`reports:
  weekly:
    webhooks:
      - { url: https://x.example, format: slack }
      - { url: https://y.example, name: slack-1 }
`);
  assert.ok(!r.ok);
  assert.match(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'), /reports\.weekly\.webhooks\[1\]\.name: duplicate webhook name "slack-1" \(also webhooks\[0\]\)/);
});
