import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeDerived, type DerivedReport, type ScopeMetrics, type WindowId } from '../server/dora/index.js';
import { ago, DAY, deployment, event, HOUR, incident, MIN, NOW, SETTINGS } from './support/dora-events.js';

/**
 * The four keys on a hand-built event set, every expected value worked out in the comments.
 * NOW = 2026-03-01T00:00Z; "−3d" means NOW − 3 days. Windows are (NOW − w, NOW].
 *
 * shop deployments (production, success):
 *   d1 −40d      ships c1 (−42d)                      lead 2d     = 172800 s
 *   d2 −20d      ships c2 (−21d), c3 (−20d12h)        leads 1d, 12h = 86400, 43200 s
 *   d3 −10d+1h   ships c4 (−11d) — the retry of a failed attempt at −10d   lead 1d1h = 90000 s
 *   d5 −7d       ships c6 (−7d4h), exactly on the 7d boundary              lead 4h = 14400 s
 *   d7 −6d       a rollback (ships nothing): rolls back the previous, d5
 *   d4 −3d       ships c5 (−3d2h)                                          lead 2h = 7200 s
 *   a staging deployment at −2d is not production: ignored
 * search: d6 −5d ships c7 (−6d), lead 1d = 86400 s
 * incidents:
 *   i1 shop −9d, restored after 2h; no link → last shop deployment before: d3
 *   i2 shop −9d+1h, restored at −9d+5h (4h), overlapping i1 → d3 again (one failed deployment)
 *   i3 shop −15d, restored after 30 min; explicitly linked to "d2"
 *   i4 search −6d, restored after 1h; no search deployment before it → unlinked
 *   i5 shop −1d, still open → d4 (counts for CFR, not for time to restore)
 *   i6 shop −4d, restored after 10 min; explicit link "nope" matches nothing → unlinked
 * failed shop deployments: d2 (i3), d3 (i1, i2), d5 (rolled back by d7), d4 (i5)
 */
const EVENTS = [
  deployment('d1', 'shop', ago(40 * DAY), [['c1', ago(42 * DAY)]]),
  deployment('d2', 'shop', ago(20 * DAY), [['c2', ago(21 * DAY)], ['c3', ago(20 * DAY + 12 * HOUR)]]),
  deployment('d3-try1', 'shop', ago(10 * DAY) + 5 * MIN, [['c4', ago(11 * DAY)]], { status: 'failure' }),
  deployment('d3', 'shop', ago(10 * DAY) + HOUR, [['c4', ago(11 * DAY)]]),
  deployment('d5', 'shop', ago(7 * DAY), [['c6', ago(7 * DAY + 4 * HOUR)]]),
  deployment('d7', 'shop', ago(6 * DAY), [], { attrs: { rollback: true } }),
  deployment('d4', 'shop', ago(3 * DAY), [['c5', ago(3 * DAY + 2 * HOUR)]]),
  deployment('stage-1', 'shop', ago(2 * DAY), [['c8', ago(2 * DAY + HOUR)]], { environment: 'staging' }),
  deployment('d6', 'search', ago(5 * DAY), [['c7', ago(6 * DAY)]]),
  incident('i1', 'shop', ago(9 * DAY), ago(9 * DAY) + 2 * HOUR),
  incident('i2', 'shop', ago(9 * DAY) + HOUR, ago(9 * DAY) + 5 * HOUR),
  incident('i3', 'shop', ago(15 * DAY), ago(15 * DAY) + 30 * MIN, { deployment: 'd2' }),
  incident('i4', 'search', ago(6 * DAY), ago(6 * DAY) + HOUR),
  incident('i5', 'shop', ago(1 * DAY)),
  incident('i6', 'shop', ago(4 * DAY), ago(4 * DAY) + 10 * MIN, { deployment: 'nope' }),
];

const report = computeDerived(EVENTS, NOW, SETTINGS);
const scope = (r: DerivedReport, service: string | null): ScopeMetrics => {
  const s = service === null ? r.workload : r.services.find((x) => x.service === service);
  assert.ok(s, `no scope ${service}`);
  return s;
};
const keys = (service: string | null, w: WindowId) => scope(report, service).windows[w].keys;

describe('DORA four keys on a hand-built event set', () => {
  it('computes one scope per service with events, sorted, besides the workload', () => {
    assert.deepEqual(report.services.map((s) => s.service), ['search', 'shop']);
  });

  it('deployment frequency counts successful production deployments per day, the 7d boundary excluded', () => {
    // 7d: d7, d4 (d5 sits exactly at NOW − 7d, outside (NOW − 7d, NOW]) → 2 / 7
    assert.equal(keys('shop', '7d').deployment_frequency.value, 2 / 7);
    assert.equal(keys('shop', '7d').deployment_frequency.sampleSize, 2);
    // 30d: d2, d3 (the retry; its failed attempt does not count), d5, d7, d4 → 5 / 30
    assert.equal(keys('shop', '30d').deployment_frequency.value, 5 / 30);
    // 90d: + d1 → 6 / 90
    assert.equal(keys('shop', '90d').deployment_frequency.value, 6 / 90);
    // workload 7d: d7, d6, d4 → 3 / 7
    assert.equal(keys(null, '7d').deployment_frequency.value, 3 / 7);
  });

  it('lead time is the median over commits of deployment time minus commit time, each commit at its first deployment', () => {
    // 7d: c5 only → 7200 s
    assert.deepEqual(keys('shop', '7d').lead_time, { value: 7200, unit: 'seconds', tier: 'elite', sampleSize: 1 });
    // 30d: [7200, 14400, 43200, 86400, 90000] → 43200 (c4 from the successful retry: 1d1h)
    assert.equal(keys('shop', '30d').lead_time.value, 43200);
    assert.equal(keys('shop', '30d').lead_time.sampleSize, 5);
    // 90d: + 172800 → even count: (43200 + 86400) / 2 = 64800
    assert.equal(keys('shop', '90d').lead_time.value, 64800);
    // workload 7d: c7 86400, c5 7200 → (7200 + 86400) / 2 = 46800
    assert.equal(keys(null, '7d').lead_time.value, 46800);
  });

  it('change failure rate counts deployments linked to an incident or rolled back, overlapping incidents once', () => {
    // 7d: d4 failed (i5), d7 not → 1 / 2
    assert.equal(keys('shop', '7d').change_failure_rate.value, 0.5);
    // 30d: d2, d3 (i1 and i2 overlap: one failed deployment), d5 (rollback), d4 of 5 → 0.8
    assert.equal(keys('shop', '30d').change_failure_rate.value, 0.8);
    assert.equal(scope(report, 'shop').windows['30d'].failedDeployments, 4);
    // 90d: d1 did not fail → 4 / 6
    assert.equal(keys('shop', '90d').change_failure_rate.value, 4 / 6);
    // search: i4 came before any search deployment, so d6 did not fail → 0 / 1
    assert.equal(keys('search', '7d').change_failure_rate.value, 0);
  });

  it('time to restore is the median over incidents restored in the window, open ones left out', () => {
    // 7d: i6 (10 min) → 600 s; i5 is open
    assert.equal(keys('shop', '7d').time_to_restore.value, 600);
    // 30d: i3 1800, i1 7200, i2 14400, i6 600 → sorted [600, 1800, 7200, 14400] → (1800 + 7200) / 2 = 4500
    assert.deepEqual(keys('shop', '30d').time_to_restore, { value: 4500, unit: 'seconds', tier: 'high', sampleSize: 4 });
    // an incident with no linked deployment still counts: search 7d → i4, 3600 s
    assert.equal(keys('search', '7d').time_to_restore.value, 3600);
    // workload 30d: [600, 1800, 3600, 7200, 14400] → 3600
    assert.equal(keys(null, '30d').time_to_restore.value, 3600);
  });

  it('gives each key its 2023 tier', () => {
    const t = (service: string | null, w: WindowId) => Object.fromEntries(Object.entries(keys(service, w)).map(([k, v]) => [k, v.tier]));
    // shop 30d: 0.167/day ≥ 1/7 → high; 12 h ≤ 1 day → elite; 80% > 15% → low; 1.25 h → high
    assert.deepEqual(t('shop', '30d'), { deployment_frequency: 'high', lead_time: 'elite', change_failure_rate: 'low', time_to_restore: 'high' });
    // shop 90d: 0.067/day is between 1/30 and 1/7 → medium
    assert.equal(keys('shop', '90d').deployment_frequency.tier, 'medium');
  });

  it('counts how each incident was linked', () => {
    assert.deepEqual(report.incidentLinks, { explicit: 1, previous: 3, unresolved: 1, none: 1 });
  });

  it('with no deployments, deployment frequency is 0 (tier low) and the other keys are unknown', () => {
    const empty = computeDerived([], NOW, SETTINGS);
    assert.deepEqual(empty.services, []);
    const k = empty.workload.windows['30d'].keys;
    assert.deepEqual(k.deployment_frequency, { value: 0, unit: 'deployments/day', tier: 'low', sampleSize: 0 });
    assert.deepEqual(k.lead_time, { value: null, unit: 'seconds', tier: null, sampleSize: 0 });
    assert.deepEqual(k.change_failure_rate, { value: null, unit: 'ratio', tier: null, sampleSize: 0 });
    assert.deepEqual(k.time_to_restore, { value: null, unit: 'seconds', tier: null, sampleSize: 0 });
  });
});

describe('DORA incident and rollback linking', () => {
  const SHA = '0123456789abcdef0123456789abcdef01234567';

  it('links an incident to the deployment that shipped the commit it names (a sha prefix)', () => {
    const r = computeDerived(
      [
        deployment('a', 'shop', ago(5 * DAY), [[SHA, ago(6 * DAY)]]),
        deployment('b', 'shop', ago(2 * DAY), [['ffffffff', ago(3 * DAY)]]),
        incident('x', 'shop', ago(1 * DAY), ago(1 * DAY) + HOUR, { deployment: SHA.slice(0, 7) }),
      ],
      NOW,
      SETTINGS,
    );
    // linked to a (−5d), not to the last deployment before the incident (b): a failed, b did not → 1 / 2
    assert.equal(r.workload.windows['7d'].keys.change_failure_rate.value, 0.5);
    assert.deepEqual(r.incidentLinks, { explicit: 1, previous: 0, unresolved: 0, none: 0 });
  });

  it('resolves a link written as source:externalId even when the external id contains a colon', () => {
    const tag = { ...deployment('tag:v1.2', 'shop', ago(5 * DAY)), source: 'repo' };
    const later = deployment('tag:v1.3', 'shop', ago(2 * DAY));
    const r = computeDerived(
      [tag, later, incident('x', 'shop', ago(1 * DAY), undefined, { deployment: 'repo:tag:v1.2' }), incident('y', 'shop', ago(1 * DAY), undefined, { deployment: 'tag:v1.2' })],
      NOW,
      SETTINGS,
    );
    assert.deepEqual(r.incidentLinks, { explicit: 2, previous: 0, unresolved: 0, none: 0 });
    assert.equal(r.workload.windows['7d'].failedDeployments, 1); // only v1.2
  });

  it('does not link an incident to a deployment older than the look-back (90 days)', () => {
    const r = computeDerived([deployment('old', 'shop', ago(100 * DAY)), incident('x', 'shop', ago(5 * DAY), ago(5 * DAY) + HOUR)], NOW, SETTINGS);
    assert.deepEqual(r.incidentLinks, { explicit: 0, previous: 0, unresolved: 0, none: 1 });
  });

  it('links an incident without a service to the last production deployment of any service', () => {
    const r = computeDerived(
      [deployment('a', 'shop', ago(5 * DAY)), deployment('b', 'search', ago(3 * DAY)), incident('x', undefined, ago(2 * DAY), ago(2 * DAY) + HOUR)],
      NOW,
      SETTINGS,
    );
    // b failed: search CFR 1/1, shop 0/1; the incident counts for search's time to restore through its deployment
    assert.equal(r.services.find((s) => s.service === 'search')!.windows['7d'].keys.change_failure_rate.value, 1);
    assert.equal(r.services.find((s) => s.service === 'shop')!.windows['7d'].keys.change_failure_rate.value, 0);
    assert.equal(r.services.find((s) => s.service === 'search')!.windows['7d'].keys.time_to_restore.value, 3600);
  });

  it('a revert marks the deployment that shipped the reverted commit as failed, not the one just before', () => {
    const r = computeDerived(
      [
        deployment('a', 'shop', ago(6 * DAY), [['aaaaaaa1', ago(7 * DAY)]]),
        deployment('b', 'shop', ago(4 * DAY), [['bbbbbbb2', ago(5 * DAY)]]),
        deployment('c', 'shop', ago(2 * DAY), [['ccccccc3', ago(3 * DAY)]], { attrs: { rollback: true, revertOf: 'aaaaaaa1' } }),
      ],
      NOW,
      SETTINGS,
    );
    const w = r.workload.windows['7d'];
    assert.equal(w.failedDeployments, 1); // a
    assert.equal(w.keys.change_failure_rate.value, 1 / 3);
  });

  it('counts a commit shipped again by a redeployment once for lead time, and both deployments for frequency', () => {
    const r = computeDerived(
      [deployment('a', 'shop', ago(5 * DAY), [['c1', ago(6 * DAY)]]), deployment('again', 'shop', ago(2 * DAY), [['c1', ago(6 * DAY)]])],
      NOW,
      SETTINGS,
    );
    const k = r.workload.windows['7d'].keys;
    assert.equal(k.deployment_frequency.value, 2 / 7);
    assert.deepEqual([k.lead_time.value, k.lead_time.sampleSize], [86400, 1]); // c1 at a: 1 day
  });

  it('takes a commit time from the stored change event when the deployment names only the sha', () => {
    const r = computeDerived(
      [
        event('change', 'commit:abc1234', { startedAt: ago(3 * DAY), attrs: { commits: [{ sha: 'abc1234' }] } }),
        { ...deployment('a', 'shop', ago(2 * DAY)), attrs: { commits: [{ sha: 'abc1234' }, { sha: 'unknown1' }] } },
      ],
      NOW,
      SETTINGS,
    );
    assert.deepEqual(r.workload.windows['7d'].keys.lead_time, { value: 86400, unit: 'seconds', tier: 'elite', sampleSize: 1 });
  });
});
