import { z } from 'zod';
import type { EvaluationSettings } from '../../evaluation/spec.js';
import { DEFAULT_STALE_AFTER_RUNS } from '../../scoring/staleness.js';
import { docs } from '../doc-meta.js';
import { durationAtLeast } from '../duration.js';
import type { Path } from '../../validation/path.js';

/** `evaluation:` — how often indicators are evaluated and when a failing feed makes them stale. Optional. */
export const evaluationSchema = z
  .strictObject({
    interval: durationAtLeast(1000).prefault('60s').describe('How often every indicator, outcome and pillar is evaluated.'),
    stale_after_failures: z
      .number()
      .int({ message: 'must be a whole number' })
      .min(1, { message: 'must be at least 1' })
      .register(docs, { type: 'integer ≥ 1' })
      .default(DEFAULT_STALE_AFTER_RUNS)
      .describe("Consecutive failed runs of a collector after which its indicators are stale (shown without a score)."),
  })
  .transform((e): EvaluationSettings => ({ intervalMs: e.interval, staleAfterFailures: e.stale_after_failures }))
  .prefault({})
  .describe('How indicators are evaluated. Optional; every key has a default.');

const RENAMED: Record<string, string> = { interval: 'intervalMs', stale_after_failures: 'staleAfterFailures' };

/** Where a path under `evaluation` lands in the Workload (`interval` → `intervalMs`). */
export function evaluationOutputPath(rest: Path): Path {
  const [key, ...more] = rest;
  return typeof key === 'string' && RENAMED[key] ? [RENAMED[key], ...more] : rest;
}
