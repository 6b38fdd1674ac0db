import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeDerived } from '../server/dora/index.js';
import { ago, DAY, deployment, event, incident, NOW, SETTINGS } from './support/dora-events.js';

/**
 * The design-principle metrics on hand-built events, NOW = 2026-03-01T00:00Z.
 *
 * deployments (shop):  p1 −25d pipeline, 100 lines, rollback plan
 *                      p2 −20d pipeline,  20 lines
 *                      p3 −15d manual,    50 lines, a rollback
 *                      p4  −5d trigger unknown, no size, rollback plan
 * game days:  −100d (3 findings), −30d (findings ["a","b"]), −10d (1 finding), −5d cancelled
 * action items: opened −20d open, −5d open, −40d closed at −30d
 * incidents with causes: A −100d, A −50d (repeat: 50 d after A), B −60d, B −10d (repeat), C −5d
 * post-incident reviews (due 7 days after restore):
 *   R1 restored −20d, review completed −15d (in time; due −13d)
 *   R2 restored −30d, review completed −20d (late; due −23d)
 *   R3 restored  −3d, not due yet (due +4d)
 *   R4 restored −12d, no review (due −5d)
 * runbooks: restart (file: reviewed −40d), failover (file: −100d; review event −10d),
 *           backup (file: never reviewed), dns (only a review event, −2d)
 */
const EVENTS = [
  deployment('p1', 'shop', ago(25 * DAY), [], { attrs: { trigger: 'pipeline', linesChanged: 100, rollbackPlan: true } }),
  deployment('p2', 'shop', ago(20 * DAY), [], { attrs: { trigger: 'pipeline', linesChanged: 20 } }),
  deployment('p3', 'shop', ago(15 * DAY), [], { attrs: { trigger: 'manual', linesChanged: 50, rollback: true } }),
  deployment('p4', 'shop', ago(5 * DAY), [], { attrs: { rollbackPlan: true } }),
  event('gameday', 'g0', { service: 'shop', startedAt: ago(100 * DAY), attrs: { findings: 3 } }),
  event('gameday', 'g1', { service: 'shop', startedAt: ago(30 * DAY), attrs: { findings: ['a', 'b'] } }),
  event('gameday', 'g2', { service: 'shop', startedAt: ago(10 * DAY), attrs: { findings: 1 } }),
  event('gameday', 'g3', { service: 'shop', startedAt: ago(5 * DAY), status: 'cancelled' }),
  event('action_item', 'a1', { service: 'shop', startedAt: ago(20 * DAY), status: 'open' }),
  event('action_item', 'a2', { service: 'shop', startedAt: ago(5 * DAY), status: 'open' }),
  event('action_item', 'a3', { service: 'shop', startedAt: ago(40 * DAY), endedAt: ago(30 * DAY), status: 'closed' }),
  incident('A1', 'db', ago(100 * DAY), ago(100 * DAY) + 1000, { cause: 'A' }),
  incident('A2', 'db', ago(50 * DAY), ago(50 * DAY) + 1000, { cause: 'A' }),
  incident('B1', 'db', ago(60 * DAY), ago(60 * DAY) + 1000, { cause: 'B' }),
  incident('B2', 'db', ago(10 * DAY), ago(10 * DAY) + 1000, { cause: 'B' }),
  incident('C1', 'db', ago(5 * DAY), ago(5 * DAY) + 1000, { cause: 'C' }),
  incident('R1', 'web', ago(21 * DAY), ago(20 * DAY)),
  incident('R2', 'web', ago(31 * DAY), ago(30 * DAY)),
  incident('R3', 'web', ago(4 * DAY), ago(3 * DAY)),
  incident('R4', 'web', ago(13 * DAY), ago(12 * DAY)),
  event('review', 'rv1', { startedAt: ago(16 * DAY), endedAt: ago(15 * DAY), status: 'completed', attrs: { incident: 'R1' } }),
  event('review', 'rv2', { startedAt: ago(20 * DAY), status: 'completed', attrs: { incident: 'test:R2' } }),
  event('review', 'rv4', { startedAt: ago(6 * DAY), status: 'draft', attrs: { incident: 'R4' } }),
  event('review', 'rb1', { startedAt: ago(10 * DAY), status: 'completed', attrs: { runbook: 'failover' } }),
  event('review', 'rb2', { startedAt: ago(2 * DAY), attrs: { runbook: 'dns' } }),
];

const SETTINGS_WITH_RUNBOOKS = {
  ...SETTINGS,
  runbooks: [
    { id: 'restart', owner: 'ops', reviewed: ago(40 * DAY) },
    { id: 'failover', owner: 'db-team', reviewed: ago(100 * DAY) },
    { id: 'backup' },
  ],
};
const report = computeDerived(EVENTS, NOW, SETTINGS_WITH_RUNBOOKS);
const shop = report.services.find((s) => s.service === 'shop')!;
const web = report.services.find((s) => s.service === 'web')!;

describe('operations as code and small, reversible changes', () => {
  it('pipeline share counts only deployments whose trigger is known: 2 pipeline of 3 known in 30d', () => {
    assert.deepEqual(shop.windows['30d'].pipelineRatio, { value: 2 / 3, count: 2, of: 3 });
  });

  it('pipeline share is unknown when no deployment in the window says how it was triggered', () => {
    assert.deepEqual(shop.windows['7d'].pipelineRatio, { value: null, count: 0, of: 0 }); // p4 only
  });

  it('median change size over the deployments that report it: [100, 20, 50] → 50', () => {
    assert.equal(shop.windows['30d'].changeSizeP50, 50);
    assert.equal(shop.windows['30d'].changeSizeSamples, 3);
    assert.equal(shop.windows['7d'].changeSizeP50, null);
  });

  it('rollback rate and rollback-path share are over all deployments: 1 of 4 and 2 of 4 in 30d', () => {
    assert.deepEqual(shop.windows['30d'].rollbackRatio, { value: 0.25, count: 1, of: 4 });
    assert.deepEqual(shop.windows['30d'].rollbackPathRatio, { value: 0.5, count: 2, of: 4 });
    assert.deepEqual(shop.windows['7d'].rollbackRatio, { value: 0, count: 0, of: 1 });
  });
});

describe('anticipate failure: game days', () => {
  it('days since the last game day held, cancelled ones ignored: 10', () => {
    assert.equal(shop.daysSinceLastGameday, 10);
  });

  it('game days and their findings in the last 90 days: 2 game days, 2 + 1 findings', () => {
    assert.equal(shop.gamedays90d, 2);
    assert.equal(shop.gamedayFindings90d, 3);
  });

  it('with no game day ever, the count is 0 and the days since are unknown', () => {
    assert.equal(web.gamedays90d, 0);
    assert.equal(web.daysSinceLastGameday, null);
  });
});

describe('learn from all operational events', () => {
  it('open action items and the age of the oldest: 2 open, 20 days', () => {
    assert.equal(shop.openActionItems, 2);
    assert.equal(shop.actionItemAgeDaysMax, 20);
    assert.equal(web.openActionItems, 0);
    assert.equal(web.actionItemAgeDaysMax, 0);
  });

  it('repeat incidents: same cause within 90 days, counted when the repeat is in the last 90 days → A and B', () => {
    assert.equal(report.services.find((s) => s.service === 'db')!.repeatIncidents90d, 2);
  });

  it('review share over incidents whose review came due in the window: 30d → R1 of R1, R2, R4', () => {
    assert.deepEqual(web.windows['30d'].incidentReviewRatio, { value: 1 / 3, count: 1, of: 3 });
    // 7d: only R4 came due (−5d), and its review is a draft → 0 of 1
    assert.deepEqual(web.windows['7d'].incidentReviewRatio, { value: 0, count: 0, of: 1 });
  });
});

describe('refine procedures: runbook review age', () => {
  it('takes the later of the file date and the last completed review event, null when never reviewed', () => {
    assert.deepEqual(report.runbooks, [
      { id: 'backup', owner: undefined, lastReviewed: null, ageDays: null },
      { id: 'dns', owner: undefined, lastReviewed: ago(2 * DAY), ageDays: 2 },
      { id: 'failover', owner: 'db-team', lastReviewed: ago(10 * DAY), ageDays: 10 },
      { id: 'restart', owner: 'ops', lastReviewed: ago(40 * DAY), ageDays: 40 },
    ]);
  });
});
