import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { openStore, parseSelector, type Store } from '../server/store/index.js';
import { EventStore } from '../server/events/store.js';
import { DerivedSeriesJob, SERIES } from '../server/dora/index.js';
import { silentLogger } from '../server/log.js';
import { tempDir } from './support/tmp.js';
import { FakeClock } from './support/fake-clock.js';
import { ago, DAY, HOUR, NOW } from './support/dora-events.js';

/**
 * The job on the real event store: it reads events through EventReader and writes the derived
 * series through the store, under the documented names and labels.
 *
 * Events: shop deploys at −10d (commit −11d) and −2d (no commits); an incident at −1d, restored
 * after an hour, links to the −2d deployment; one open action item opened −3d.
 */
let store: Store;
let events: EventStore;
let job: DerivedSeriesJob;

before(() => {
  store = openStore({ path: path.join(tempDir(), 'pb.db'), now: () => NOW });
  events = new EventStore(store.db, () => NOW);
  events.upsertEvents([
    { kind: 'deployment', source: 'ci', externalId: 'd1', service: 'shop', environment: 'production', status: 'success', startedAt: ago(10 * DAY), attrs: { commits: [{ sha: 'c1', at: ago(11 * DAY) }] } },
    { kind: 'deployment', source: 'ci', externalId: 'd2', service: 'shop', environment: 'production', status: 'success', startedAt: ago(2 * DAY) },
    { kind: 'incident', source: 'pd', externalId: 'i1', service: 'shop', startedAt: ago(1 * DAY), endedAt: ago(1 * DAY) + HOUR },
    { kind: 'action_item', source: 'jira', externalId: 'a1', service: 'shop', startedAt: ago(3 * DAY), status: 'open' },
  ]);
  job = new DerivedSeriesJob({ events, sink: store, log: silentLogger, clock: new FakeClock(NOW) });
  job.run();
});
after(() => store.close());

function value(selector: string): number | undefined {
  const series = store.findSeries(parseSelector(selector));
  assert.ok(series.length <= 1, `${selector} matches ${series.length} series`);
  const s = series[0];
  return s === undefined ? undefined : store.latestSample(s.id)?.value;
}

describe('derived series job', () => {
  it('writes the four keys per scope and window under their documented names', () => {
    // shop 7d: d2 only → 1/7 per day; d2 failed (the incident) → CFR 1; restored after 1 h → 3600 s
    assert.equal(value('dora_deployment_frequency_per_day{scope="service",service="shop",window="7d"}'), 1 / 7);
    assert.equal(value('dora_change_failure_ratio{scope="service",service="shop",window="7d"}'), 1);
    assert.equal(value('dora_time_to_restore_seconds{scope="workload",window="7d"}'), 3600);
    // 30d: c1 shipped by d1 after 1 day → 86400 s
    assert.equal(value('dora_lead_time_seconds{scope="workload",window="30d"}'), 86400);
    assert.equal(value('dora_deployments{scope="workload",window="30d"}'), 2);
  });

  it('writes each tier as a number, elite 4 to low 1', () => {
    // 7d CFR 100% → low; time to restore exactly 1 h → elite (2023)
    assert.equal(value('dora_tier{scope="workload",window="7d",key="change_failure_rate"}'), 1);
    assert.equal(value('dora_tier{scope="workload",window="7d",key="time_to_restore"}'), 4);
  });

  it('writes nothing for an unknown value rather than a zero: no commit shipped in 7d, no lead time', () => {
    assert.equal(store.findSeries(parseSelector('dora_lead_time_seconds{window="7d"}')).length, 0);
    assert.equal(store.findSeries(parseSelector('dora_tier{window="7d",key="lead_time"}')).length, 0);
  });

  it('writes counts even when they are zero: no game day is a fact', () => {
    assert.equal(value(`${SERIES.gamedays}{scope="workload"}`), 0);
    assert.equal(value(`${SERIES.openActionItems}{scope="service",service="shop"}`), 1);
    assert.equal(value(`${SERIES.actionItemAge}{scope="service",service="shop"}`), 3);
  });

  it('labels derived series without a collector label, stamped at the run time', () => {
    const all = store.findSeries(parseSelector('{__name__=~"dora_.*|ops_.*"}'));
    assert.ok(all.length > 20);
    for (const s of all) {
      assert.equal(s.labels.collector, undefined, `${s.name} has a collector label`);
      assert.ok(s.labels.scope === 'workload' || (s.labels.scope === 'service' && s.labels.service !== undefined), JSON.stringify(s.labels));
      assert.equal(store.latestSample(s.id)?.ts, NOW);
    }
  });

  it('keeps the latest report for the API', () => {
    assert.equal(job.latest()?.at, NOW);
    assert.deepEqual(job.latest()?.services.map((s) => s.service), ['shop']);
  });

  it('once started, runs soon after a request, once for a burst of requests, then every interval (on a fake clock)', () => {
    const clock = new FakeClock(NOW);
    const runs: number[] = [];
    const counting = new DerivedSeriesJob({
      events,
      sink: { writeSamples: (s) => (runs.push(clock.now() - NOW), s.length) },
      log: silentLogger,
      clock,
    });
    counting.requestRun();
    assert.equal(clock.pending(), 0, 'not started: a request is ignored');
    counting.start();
    assert.equal(clock.nextAt(), NOW + 60_000);
    clock.advance(500);
    counting.requestRun();
    clock.advance(500);
    counting.requestRun(); // within the debounce of the first: the same run
    clock.advance(499);
    assert.deepEqual(runs, [], 'the request waits its debounce');
    clock.advance(1);
    assert.deepEqual(runs, [1500], 'one run for the burst, 1 s after its first request');
    assert.equal(clock.nextAt(), NOW + 1500 + 60_000, 'the periodic timer restarts after the run');
    clock.advance(60_000);
    assert.deepEqual(runs, [1500, 61_500]);
    counting.stop();
    assert.equal(clock.pending(), 0);
  });
});
