import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BURN_RATE_RULES, BURN_WINDOW_MS, budgetSpentWhenFiring, evaluateBurnRateAlerts } from '../server/scoring/burn-rate.js';
import { evaluateSlo, validateSlo, type SloInput } from '../server/scoring/slo.js';

const DAY = 86_400_000;
const WINDOW_28D = 28 * DAY;

function close(actual: number | null | undefined, expected: number, what: string) {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
}

function slo(window: SloInput['counts']['window'], burn: SloInput['counts']['burn'] = {}): SloInput {
  return { objective: 0.999, windowMs: WINDOW_28D, counts: { window, burn } };
}

test('SLO 99.9% over 28d with 400 bad of 1,000,000: attainment 0.9996, budget remaining 0.6, ok with score 60', () => {
  // attainment = 999,600 / 1,000,000 = 0.9996; budget = 1 − 0.999 = 0.001 → 1,000 bad events allowed;
  // remaining = 1 − 400 / 1,000 = 0.6; score = 100 · 0.6 = 60.
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }));
  close(r.attainment, 0.9996, 'attainment');
  close(r.errorBudget, 0.001, 'errorBudget');
  close(r.budgetRemaining, 0.6, 'budgetRemaining');
  assert.equal(r.score, 60);
  assert.equal(r.status, 'ok');
  assert.equal(r.alertState, 'ok');
  assert.deepEqual(r.events, { good: 999_600, bad: 400, total: 1_000_000 });
  assert.equal(r.reason, 'attainment 99.96% over 28d against the objective 99.9%; 60% of the error budget remains');
});

test('SLO counts given as good/total and as bad/total evaluate the same', () => {
  const fromGood = evaluateSlo(slo({ good: 999_600, total: 1_000_000 }, { '1h': { good: 9_850, total: 10_000 } }));
  const fromBad = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '1h': { bad: 150, total: 10_000 } }));
  assert.deepEqual(fromGood, fromBad);
});

test('SLO pages when the 1h burn rate is 15 and the 5m burn rate is 20, both above 14.4', () => {
  // 1h: 150 / 10,000 = 1.5% errors → 0.015 / 0.001 = 15 > 14.4.
  // 5m: 20 / 1,000 = 2% errors → 0.02 / 0.001 = 20 > 14.4. Both windows → page.
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '1h': { bad: 150, total: 10_000 }, '5m': { bad: 20, total: 1_000 } }));
  close(r.burnRates['1h'], 15, '1h burn');
  close(r.burnRates['5m'], 20, '5m burn');
  assert.equal(r.alertState, 'page');
  assert.equal(r.alerts.find((a) => a.long === '1h')?.firing, true);
  assert.equal(r.status, 'critical');
  assert.equal(r.score, 60, 'the score still reflects the budget remaining (0.6)');
  assert.equal(r.reason, 'error budget burning 15× the sustainable rate over 1h and 20× over 5m (page above 14.4×)');
});

test('SLO does not alert when only the long window burns: 1h at 15 but 5m at 10', () => {
  // 5m: 10 / 1,000 = 1% → 10 ≤ 14.4: the problem has stopped, the alert stays quiet.
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '1h': { bad: 150, total: 10_000 }, '5m': { bad: 10, total: 1_000 } }));
  close(r.burnRates['5m'], 10, '5m burn');
  assert.equal(r.alerts.some((a) => a.firing), false);
  assert.equal(r.alertState, 'ok');
  assert.equal(r.status, 'ok');
});

test('SLO does not alert when a burn rate equals the factor: the rule is strictly greater', () => {
  // 1h: 144 / 10,000 = 1.44% → 14.4, not > 14.4; 5m: 20 / 1,000 → 20.
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '1h': { bad: 144, total: 10_000 }, '5m': { bad: 20, total: 1_000 } }));
  close(r.burnRates['1h'], 14.4, '1h burn');
  assert.equal(r.alertState, 'ok');
});

test('SLO pages on the slow page pair: 6h at 7 and 30m at 8, both above 6', () => {
  // 6h: 420 / 60,000 = 0.7% → 7; 30m: 40 / 5,000 = 0.8% → 8.
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '6h': { bad: 420, total: 60_000 }, '30m': { bad: 40, total: 5_000 } }));
  close(r.burnRates['6h'], 7, '6h burn');
  close(r.burnRates['30m'], 8, '30m burn');
  assert.equal(r.alertState, 'page');
  assert.equal(r.status, 'critical');
});

test('SLO opens a ticket when 1d burns at 4 and 2h at 5, above 3: warning', () => {
  // 1d: 400 / 100,000 = 0.4% → 4; 2h: 50 / 10,000 = 0.5% → 5.
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '1d': { bad: 400, total: 100_000 }, '2h': { bad: 50, total: 10_000 } }));
  assert.equal(r.alertState, 'ticket');
  assert.equal(r.status, 'warning');
  assert.equal(r.score, 60);
  assert.equal(r.reason, 'error budget burning 4× the sustainable rate over 1d and 5× over 2h (ticket above 3×)');
});

test('SLO opens a ticket when 3d burns at 2 and 6h at 1.5, above 1', () => {
  // 3d: 600 / 300,000 = 0.2% → 2; 6h: 30 / 20,000 = 0.15% → 1.5.
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '3d': { bad: 600, total: 300_000 }, '6h': { bad: 30, total: 20_000 } }));
  close(r.burnRates['3d'], 2, '3d burn');
  close(r.burnRates['6h'], 1.5, '6h burn');
  assert.equal(r.alertState, 'ticket');
});

test('SLO page outranks a ticket firing at the same time', () => {
  // 1h 15 & 5m 20 (page); 1d 4 & 2h 5 (ticket).
  const r = evaluateSlo(
    slo(
      { bad: 400, total: 1_000_000 },
      { '1h': { bad: 150, total: 10_000 }, '5m': { bad: 20, total: 1_000 }, '1d': { bad: 400, total: 100_000 }, '2h': { bad: 50, total: 10_000 } },
    ),
  );
  assert.equal(r.alertState, 'page');
  assert.deepEqual(r.alerts.map((a) => a.firing), [true, false, true, false]);
});

const budgetCases: Array<[number, string, number, number, string]> = [
  [1_500, 'critical', -0.5, 0, '1 − 1,500/1,000 = −0.5: over budget; not clamped, score clamped to 0'],
  [1_000, 'critical', 0, 0, '1 − 1,000/1,000 = 0: exhausted'],
  [800, 'warning', 0.2, 20, '1 − 800/1,000 = 0.2 < 0.25'],
  [750, 'ok', 0.25, 25, '1 − 750/1,000 = 0.25, not below 0.25'],
  [0, 'ok', 1, 100, 'no bad events: the whole budget remains'],
];
for (const [bad, status, remaining, score, arithmetic] of budgetCases) {
  test(`SLO with ${bad} bad of 1,000,000 is ${status} with score ${score} (${arithmetic})`, () => {
    const r = evaluateSlo(slo({ bad, total: 1_000_000 }));
    assert.equal(r.status, status);
    close(r.budgetRemaining, remaining, 'budgetRemaining');
    assert.equal(r.score, score);
  });
}

test('SLO explains an exhausted budget with attainment, window and objective', () => {
  // attainment = 998,500 / 1,000,000 = 99.85%; remaining −0.5 = −50%.
  const r = evaluateSlo(slo({ bad: 1_500, total: 1_000_000 }));
  assert.equal(r.reason, 'error budget exhausted: attainment 99.85% over 28d against the objective 99.9% (budget remaining -50%)');
});

test('SLO with no events in its window is no_data: attainment, budget and score are null', () => {
  const r = evaluateSlo(slo({ good: 0, total: 0 }, { '1h': { good: 0, total: 0 } }));
  assert.equal(r.status, 'no_data');
  assert.equal(r.score, null);
  assert.equal(r.attainment, null);
  assert.equal(r.budgetRemaining, null);
  assert.equal(r.burnRates['1h'], null, 'a window with total 0 has no burn rate');
  assert.equal(r.alertState, 'ok');
  assert.equal(r.reason, 'no events in the last 28d');
  assert.equal(evaluateSlo(slo(null)).status, 'no_data');
});

test('SLO burn windows with total 0 never fire even when the other window burns', () => {
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '1h': { bad: 150, total: 10_000 }, '5m': { bad: 0, total: 0 } }));
  assert.equal(r.burnRates['5m'], null);
  assert.equal(r.alertState, 'ok');
});

test('SLO fed by a failing collector is stale and withholds every number', () => {
  const reason = 'collector prom has failed 3 consecutive runs (last error: 503)';
  const r = evaluateSlo({ ...slo({ bad: 400, total: 1_000_000 }, { '1h': { bad: 150, total: 10_000 }, '5m': { bad: 20, total: 1_000 } }), staleReason: reason });
  assert.equal(r.status, 'stale');
  assert.equal(r.reason, reason);
  assert.equal(r.score, null);
  assert.equal(r.attainment, null);
  assert.equal(r.budgetRemaining, null);
  assert.equal(r.burnRates['1h'], null);
  assert.equal(r.alertState, 'ok');
});

test('SLO ignores a burn window whose good count exceeds its total and says so', () => {
  const r = evaluateSlo(slo({ bad: 400, total: 1_000_000 }, { '1h': { good: 120, total: 100 } }));
  assert.equal(r.burnRates['1h'], null);
  assert.deepEqual(r.warnings, ['1h window ignored: good 120 / total 100: good exceeds total']);
});

test('SLO whose window counts are impossible is no_data with the problem as reason', () => {
  const r = evaluateSlo(slo({ bad: 5, total: 4 }));
  assert.equal(r.status, 'no_data');
  assert.equal(r.reason, 'unusable event counts over the last 28d: bad 5 / total 4: bad exceeds total');
});

test('SLO warning threshold on the remaining budget can be set per SLO', () => {
  // remaining 0.6 < 0.7 → warning.
  const r = evaluateSlo({ ...slo({ bad: 400, total: 1_000_000 }), budgetWarningBelow: 0.7 });
  assert.equal(r.status, 'warning');
});

test('validateSlo rejects objectives of 0% and 100% and a zero window; evaluateSlo throws on them', () => {
  assert.deepEqual(validateSlo({ objective: 1, windowMs: WINDOW_28D }).map((p) => p.field), ['objective']);
  assert.deepEqual(validateSlo({ objective: 0, windowMs: WINDOW_28D }).map((p) => p.field), ['objective']);
  assert.deepEqual(validateSlo({ objective: 0.999, windowMs: 0 }).map((p) => p.field), ['window']);
  assert.deepEqual(validateSlo({ objective: 0.999, windowMs: WINDOW_28D }), []);
  assert.throws(() => evaluateSlo({ ...slo({ bad: 0, total: 1 }), objective: 1 }), RangeError);
});

test('burn-rate rules are the SRE workbook table: 1h/5m 14.4 and 6h/30m 6 page, 1d/2h 3 and 3d/6h 1 ticket', () => {
  assert.deepEqual(
    BURN_RATE_RULES.map((r) => [r.severity, r.long, r.short, r.factor]),
    [
      ['page', '1h', '5m', 14.4],
      ['page', '6h', '30m', 6],
      ['ticket', '1d', '2h', 3],
      ['ticket', '3d', '6h', 1],
    ],
  );
  assert.equal(BURN_WINDOW_MS['3d'], 3 * DAY);
});

test('budget spent when each rule fires over a 30d window is 2%, 5%, 10% and 10%', () => {
  // 30d = 720h. 14.4·1/720 = 0.02; 6·6/720 = 0.05; 3·24/720 = 0.1; 1·72/720 = 0.1.
  const spent = BURN_RATE_RULES.map((r) => budgetSpentWhenFiring(r, 30 * DAY));
  [0.02, 0.05, 0.1, 0.1].forEach((expected, i) => close(spent[i], expected, `rule ${i}`));
});

test('evaluateBurnRateAlerts with every window null fires nothing', () => {
  const rates = { '5m': null, '30m': null, '1h': null, '2h': null, '6h': null, '1d': null, '3d': null };
  const { alerts, alertState } = evaluateBurnRateAlerts(rates);
  assert.equal(alertState, 'ok');
  assert.equal(alerts.length, 4);
});
