import { DAY_MS, HOUR_MS, type BenchmarkYear, type DoraKey, type Tier } from './types.js';

/**
 * Performance tiers of the four keys per DORA's *Accelerate State of DevOps* report of the
 * chosen year (tables and sources in docs/dora.md). The reports publish each cluster as a
 * range ("between one day and one week") or, for the change failure rate from 2023 on, one
 * typical value; they leave gaps between clusters and sometimes overlap. One rule turns them
 * into cut points, the same for every year:
 * - each tier's bound is the **worse edge** of its published range (a single value is its
 *   own edge); a value at a bound gets that tier;
 * - a value gets the **best tier whose bound it meets**; a tier whose bound is no looser than
 *   a better tier's can never be reached (it is listed as such); low takes everything else.
 * So values in a gap go to the next worse tier, and a better value never gets a worse tier.
 * 2022 had no elite cluster: its best tier is high.
 */

/** Where each year's table comes from: DORA's *Accelerate State of DevOps* report of that year. */
export const BENCHMARK_SOURCES: Record<BenchmarkYear, string> = {
  2021: 'https://dora.dev/research/2021/dora-report/',
  2022: 'https://dora.dev/research/2022/dora-report/',
  2023: 'https://dora.dev/research/2023/dora-report/',
  2024: 'https://dora.dev/research/2024/dora-report/',
};

const SECOND = 1000;
const HOUR = HOUR_MS / SECOND;
const DAY = DAY_MS / SECOND;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const SIX_MONTHS = 180 * DAY;
const PER_DAY = 1;
const PER_WEEK = 1 / 7;
const PER_MONTH = 1 / 30;
const PER_SIX_MONTHS = 1 / 180;

/** Bounds of the tiers better than low, best first; `higher` for deployment frequency. */
export interface KeyThresholds {
  direction: 'higher' | 'lower';
  bounds: Array<{ tier: Exclude<Tier, 'low'>; bound: number }>;
}

type YearTable = Record<DoraKey, KeyThresholds>;

const lowerIsBetter = (bounds: KeyThresholds['bounds']): KeyThresholds => ({ direction: 'lower', bounds });
const higherIsBetter = (bounds: KeyThresholds['bounds']): KeyThresholds => ({ direction: 'higher', bounds });

/** Units: deployments per day; seconds; ratio 0..1; seconds. */
export const TIER_TABLES: Record<BenchmarkYear, YearTable> = {
  2021: {
    deployment_frequency: higherIsBetter([
      { tier: 'elite', bound: PER_DAY },
      { tier: 'high', bound: PER_MONTH },
      { tier: 'medium', bound: PER_SIX_MONTHS },
    ]),
    lead_time: lowerIsBetter([
      { tier: 'elite', bound: HOUR },
      { tier: 'high', bound: WEEK },
      { tier: 'medium', bound: SIX_MONTHS },
    ]),
    change_failure_rate: lowerIsBetter([
      { tier: 'elite', bound: 0.15 },
      { tier: 'high', bound: 0.3 },
      { tier: 'medium', bound: 0.3 }, // high, medium and low were all "16%-30%"
    ]),
    time_to_restore: lowerIsBetter([
      { tier: 'elite', bound: HOUR },
      { tier: 'high', bound: DAY },
      { tier: 'medium', bound: WEEK },
    ]),
  },
  2022: {
    deployment_frequency: higherIsBetter([
      { tier: 'high', bound: PER_DAY },
      { tier: 'medium', bound: PER_MONTH },
    ]),
    lead_time: lowerIsBetter([
      { tier: 'high', bound: WEEK },
      { tier: 'medium', bound: MONTH },
    ]),
    change_failure_rate: lowerIsBetter([
      { tier: 'high', bound: 0.15 },
      { tier: 'medium', bound: 0.3 },
    ]),
    time_to_restore: lowerIsBetter([
      { tier: 'high', bound: DAY },
      { tier: 'medium', bound: WEEK },
    ]),
  },
  2023: {
    deployment_frequency: higherIsBetter([
      { tier: 'elite', bound: PER_DAY },
      { tier: 'high', bound: PER_WEEK },
      { tier: 'medium', bound: PER_MONTH },
    ]),
    lead_time: lowerIsBetter([
      { tier: 'elite', bound: DAY },
      { tier: 'high', bound: WEEK },
      { tier: 'medium', bound: MONTH },
    ]),
    change_failure_rate: lowerIsBetter([
      { tier: 'elite', bound: 0.05 },
      { tier: 'high', bound: 0.1 },
      { tier: 'medium', bound: 0.15 },
    ]),
    time_to_restore: lowerIsBetter([
      { tier: 'elite', bound: HOUR },
      { tier: 'high', bound: DAY },
      { tier: 'medium', bound: WEEK },
    ]),
  },
  2024: {
    deployment_frequency: higherIsBetter([
      { tier: 'elite', bound: PER_DAY },
      { tier: 'high', bound: PER_WEEK },
      { tier: 'medium', bound: PER_MONTH },
    ]),
    lead_time: lowerIsBetter([
      { tier: 'elite', bound: DAY },
      { tier: 'high', bound: WEEK },
      { tier: 'medium', bound: MONTH },
    ]),
    change_failure_rate: lowerIsBetter([
      { tier: 'elite', bound: 0.05 },
      { tier: 'high', bound: 0.2 },
      { tier: 'medium', bound: 0.1 }, // medium's 10% is better than high's 20%: unreachable
    ]),
    time_to_restore: lowerIsBetter([
      { tier: 'elite', bound: HOUR },
      { tier: 'high', bound: DAY },
      { tier: 'medium', bound: DAY }, // "less than one day", as high: unreachable
    ]),
  },
};

/**
 * The tier of `value` for `key` in `year`'s report; null when the value is unknown.
 * Units: deployments per day, seconds, ratio (0..1), seconds.
 */
export function tierOf(key: DoraKey, value: number | null, year: BenchmarkYear): Tier | null {
  if (value === null || !Number.isFinite(value)) return null;
  const t = TIER_TABLES[year][key];
  for (const { tier, bound } of t.bounds) {
    if (t.direction === 'higher' ? value >= bound : value <= bound) return tier;
  }
  return 'low';
}
