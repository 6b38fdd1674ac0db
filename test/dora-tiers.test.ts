import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tierOf, TIER_TABLES, BENCHMARK_YEARS, DORA_KEYS } from '../server/dora/index.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

describe('DORA performance tiers per benchmark year', () => {
  it('2023: deployment frequency at exactly once a week is high, just below is medium, below monthly is low', () => {
    assert.equal(tierOf('deployment_frequency', 1, 2023), 'elite'); // on demand: at least daily
    assert.equal(tierOf('deployment_frequency', 1 / 7, 2023), 'high'); // a value at a bound takes that tier
    assert.equal(tierOf('deployment_frequency', 1 / 8, 2023), 'medium');
    assert.equal(tierOf('deployment_frequency', 1 / 31, 2023), 'low');
  });

  it('2023: change failure rate takes the published 5/10/15% as upper bounds', () => {
    assert.equal(tierOf('change_failure_rate', 0.05, 2023), 'elite');
    assert.equal(tierOf('change_failure_rate', 0.08, 2023), 'high');
    assert.equal(tierOf('change_failure_rate', 0.15, 2023), 'medium');
    assert.equal(tierOf('change_failure_rate', 0.16, 2023), 'low');
  });

  it('2023: failed deployment recovery time under an hour is elite, a day high, a week medium, longer low', () => {
    assert.equal(tierOf('time_to_restore', HOUR, 2023), 'elite');
    assert.equal(tierOf('time_to_restore', 5 * HOUR, 2023), 'high');
    assert.equal(tierOf('time_to_restore', 3 * DAY, 2023), 'medium');
    assert.equal(tierOf('time_to_restore', 8 * DAY, 2023), 'low');
  });

  it('2021: a lead time in the gap between elite (< 1 h) and high (1 day – 1 week) goes to high', () => {
    assert.equal(tierOf('lead_time', 5 * HOUR, 2021), 'high');
    assert.equal(tierOf('lead_time', 2 * 7 * DAY, 2021), 'medium'); // gap before medium's 1–6 months
    assert.equal(tierOf('lead_time', 200 * DAY, 2021), 'low');
  });

  it('2021: high, medium and low shared 16–30% change failure, so medium is never given', () => {
    assert.equal(tierOf('change_failure_rate', 0.15, 2021), 'elite');
    assert.equal(tierOf('change_failure_rate', 0.25, 2021), 'high');
    assert.equal(tierOf('change_failure_rate', 0.31, 2021), 'low');
  });

  it('2022 had no elite cluster: the best value is high', () => {
    assert.equal(tierOf('deployment_frequency', 10, 2022), 'high');
    assert.equal(tierOf('lead_time', 60, 2022), 'high');
    assert.equal(tierOf('change_failure_rate', 0, 2022), 'high');
    assert.equal(tierOf('time_to_restore', 60, 2022), 'high');
  });

  it('2024: medium reported a lower change failure rate than high, so 10–20% is high and above 20% low', () => {
    assert.equal(tierOf('change_failure_rate', 0.12, 2024), 'high');
    assert.equal(tierOf('change_failure_rate', 0.2, 2024), 'high');
    assert.equal(tierOf('change_failure_rate', 0.25, 2024), 'low');
  });

  it('2024: a recovery time of two days falls past high and medium (both under a day) into low', () => {
    assert.equal(tierOf('time_to_restore', 2 * DAY, 2024), 'low');
  });

  it('an unknown value has no tier', () => {
    assert.equal(tierOf('lead_time', null, 2023), null);
  });

  it('never gives a better tier to a worse value, in any year', () => {
    const order = { low: 1, medium: 2, high: 3, elite: 4 } as const;
    for (const year of BENCHMARK_YEARS) {
      for (const key of DORA_KEYS) {
        const higher = TIER_TABLES[year][key].direction === 'higher';
        const values = [0, 0.001, 0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 60, HOUR, DAY, 7 * DAY, 30 * DAY, 180 * DAY, 400 * DAY];
        let prev = higher ? 0 : 5;
        for (const v of values) {
          const t = order[tierOf(key, v, year)!];
          assert.ok(higher ? t >= prev : t <= prev, `${year} ${key} at ${v}: ${t} after ${prev}`);
          prev = t;
        }
      }
    }
  });
});
