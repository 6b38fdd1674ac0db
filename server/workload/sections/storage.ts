import { z } from 'zod';
import { durationAtLeast, formatDuration } from '../duration.js';
import { docs } from '../doc-meta.js';
import type { Path } from '../../validation/path.js';

const HOUR = 3_600_000;

/** Workload-wide: a target that invents new label values every run cannot fill the disk. */
export const DEFAULT_SERIES_LIMIT = 500_000;

/** `storage:` — how long the store keeps data. Optional; every key has a default. */
export const storageSchema = z
  .strictObject({
    retention: z
      .strictObject({
        raw: durationAtLeast(HOUR).prefault('15d').describe('How long raw samples are kept.'),
        hourly: durationAtLeast(HOUR)
          .prefault('400d')
          .describe('How long hourly rollups are kept; long charts and reports read these. Must be at least `raw`.'),
      })
      .superRefine((r, ctx) => {
        if (r.hourly < r.raw) {
          ctx.addIssue({
            code: 'custom',
            path: ['hourly'],
            message:
              `hourly retention ${formatDuration(r.hourly)} is shorter than raw retention ${formatDuration(r.raw)}; ` +
              'rollups must outlive the samples they summarise',
          });
        }
      })
      .transform((r) => ({ rawMs: r.raw, hourlyMs: r.hourly }))
      .prefault({})
      .describe('How long the store keeps data.'),
    series_limit: z
      .number({ error: 'must be a whole number (0 for no limit)' })
      .int({ message: 'must be a whole number (0 for no limit)' })
      .min(0, { message: 'must be 0 (no limit) or more' })
      .default(DEFAULT_SERIES_LIMIT)
      .register(docs, { type: 'integer ≥ 0' })
      .describe(
        'Most series the store may hold. A collector run that would create series beyond it fails and stores nothing; series already stored stay. 0: no limit.',
      ),
  })
  .transform(({ series_limit, ...rest }) => ({ ...rest, seriesLimit: series_limit }))
  .prefault({})
  .describe('Storage settings. Optional.');

const RENAMED: Record<string, string> = { raw: 'rawMs', hourly: 'hourlyMs' };

/** Where a path under `storage` lands in the Workload (`retention.raw` → `retention.rawMs`, `series_limit` → `seriesLimit`). */
export function storageOutputPath(rest: Path): Path {
  const [section, key, ...more] = rest;
  if (section === 'series_limit') return ['seriesLimit', ...rest.slice(1)];
  if (section === 'retention' && typeof key === 'string' && RENAMED[key]) return [section, RENAMED[key], ...more];
  return rest;
}
