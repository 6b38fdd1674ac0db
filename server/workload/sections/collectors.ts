import { z } from 'zod';
import type { CollectorCommon, CollectorDefinition, CollectorLimits } from '../../../collectors/types.js';
import { docs } from '../doc-meta.js';
import { durationAtLeast, formatDuration, tryParseDuration } from '../duration.js';
import { keysAt } from '../introspect.js';
import type { PathIssue } from '../../validation/issues.js';
import type { Path } from '../../validation/path.js';
import { convertZodIssues } from '../../validation/zod-issues.js';
import { labelsSchema, slugSchema } from './shared.js';

/** Collector definitions by type, as `collectors/index.ts` exports them. */
export type CollectorRegistry = ReadonlyMap<string, CollectorDefinition<any>>;

/** One validated `collectors:` entry: the common fields, and the type's own fields as its schema returned them. */
export type WorkloadCollector = CollectorCommon & { config: unknown };

const FALLBACK_INTERVAL_MS = 60_000;

/**
 * Defaults that keep a workload safe from a misbehaving target (a scrape that suddenly
 * returns 300k series) while leaving room for large exporters: node_exporter returns ~1–3k
 * samples, kube-state-metrics on a big cluster tens of thousands.
 */
export const DEFAULT_LIMITS: CollectorLimits = { samples: 50_000, labels: 64, labelValueLength: 2_048 };

const limitSchema = (fallback: number) =>
  z
    .number({ error: 'must be a whole number (0 for no limit)' })
    .int({ message: 'must be a whole number (0 for no limit)' })
    .min(0, { message: 'must be 0 (no limit) or more' })
    .default(fallback)
    .register(docs, { type: 'integer ≥ 0' });
const MAX_DEFAULT_TIMEOUT_MS = 30_000;

/** The keys every entry may have whatever its type; all other keys belong to the type. */
export const collectorCommonSchema = z.strictObject({
  id: slugSchema.describe('Unique among collectors; names the collector in logs, metrics and the API.'),
  type: z.string().describe('Which collector runs this entry, e.g. `prometheus`; decides which other keys are allowed.'),
  interval: durationAtLeast(1000)
    .optional()
    .describe('Time between runs, at least 1s.')
    .register(docs, { default: "the type's default interval, else 60s" }),
  timeout: durationAtLeast(1)
    .optional()
    .describe('A run that takes longer is aborted and counted as failed. At most `interval`.')
    .register(docs, { default: 'the smaller of `interval` and 30s' }),
  jitter: z
    .number()
    .min(0, { message: 'must be between 0 and 1' })
    .max(1, { message: 'must be between 0 and 1' })
    .default(0.1)
    .describe('Fraction of the interval by which each run is randomly shifted, so collectors do not all fire at once.')
    .register(docs, { type: 'number 0..1' }),
  labels: labelsSchema.default({}).describe('Labels added to every sample this collector returns.'),
  sample_limit: limitSchema(DEFAULT_LIMITS.samples).describe(
    'Most samples one run may return; a run with more fails and stores nothing, as in Prometheus. 0: no limit.',
  ),
  label_limit: limitSchema(DEFAULT_LIMITS.labels).describe(
    'Most labels on one sample (not counting the name; counting `collector` and `labels`); a run over it fails and stores nothing. 0: no limit.',
  ),
  label_value_length_limit: limitSchema(DEFAULT_LIMITS.labelValueLength).describe(
    'Longest label value, in characters; a run with a longer one fails and stores nothing. 0: no limit.',
  ),
});

const COMMON_KEYS = new Set(Object.keys(collectorCommonSchema.shape));
const COMMON_KEY_LIST = [...COMMON_KEYS];

/**
 * `collectors:` — the list of collectors. Each entry is validated in two parts
 * so that every problem is reported in one pass: the common keys by
 * `collectorCommonSchema`, the rest by the registered type's `config` schema.
 */
export function collectorsSchema(registry: CollectorRegistry) {
  const defaultIntervals = new Map<string, number>();
  for (const [type, definition] of registry) {
    if (definition.defaultInterval === undefined) continue;
    const ms = tryParseDuration(definition.defaultInterval);
    // A definition's bug, not the user's: fail loudly when the schema is built.
    if (typeof ms === 'string') throw new Error(`collector type "${type}": defaultInterval ${ms}`);
    defaultIntervals.set(type, ms);
  }
  const entry = z
    .record(z.string(), z.unknown())
    .transform((raw, ctx): WorkloadCollector => {
      const result = validateEntry(raw, registry, defaultIntervals);
      if (result.ok) return result.value;
      for (const { path, message, at } of result.issues) {
        ctx.addIssue({ code: 'custom', path: [...path], message, params: at ? { at } : undefined });
      }
      return z.NEVER;
    })
    .register(docs, { fields: () => collectorCommonSchema });

  return z
    .array(entry)
    .default([])
    .describe('The collectors to run. Besides the keys below, each entry takes the keys of its `type`.');
}

type EntryResult = { ok: true; value: WorkloadCollector } | { ok: false; issues: PathIssue[] };

function validateEntry(
  raw: Record<string, unknown>,
  registry: CollectorRegistry,
  defaultIntervals: ReadonlyMap<string, number>,
): EntryResult {
  const common: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) (COMMON_KEYS.has(key) ? common : rest)[key] = value;

  const issues: PathIssue[] = [];
  const parsed = collectorCommonSchema.safeParse(common);
  if (!parsed.success) issues.push(...convertZodIssues(parsed.error.issues, { input: common }));

  const type = typeof raw.type === 'string' ? raw.type : undefined;
  const definition = type === undefined ? undefined : registry.get(type);
  let config: unknown = undefined;
  if (type !== undefined && !definition) {
    const known = [...registry.keys()].sort().join(', ') || '(none registered)';
    issues.push({ path: ['type'], message: `unknown collector type "${type}"; known types: ${known}` });
  } else if (definition) {
    const result = definition.config.safeParse(rest);
    if (result.success) config = result.data;
    else {
      // Hints for a misspelt key at the entry's top level include the common keys.
      const keysFor = (path: Path) =>
        path.length === 0 ? [...COMMON_KEY_LIST, ...(keysAt(definition.config, path) ?? [])] : keysAt(definition.config, path);
      issues.push(...convertZodIssues(result.error.issues, { input: rest, keysAt: keysFor }));
    }
  }
  if (!parsed.success || !definition) return { ok: false, issues };

  const c = parsed.data;
  const intervalMs = c.interval ?? defaultIntervals.get(definition.type) ?? FALLBACK_INTERVAL_MS;
  const timeoutMs = c.timeout ?? Math.min(intervalMs, MAX_DEFAULT_TIMEOUT_MS);
  if (timeoutMs > intervalMs) {
    const interval =
      c.interval === undefined
        ? `the default interval of type "${definition.type}", ${formatDuration(intervalMs)}`
        : `interval ${formatDuration(intervalMs)}`;
    issues.push({
      path: ['timeout'],
      message: `timeout ${formatDuration(timeoutMs)} is longer than ${interval}; a run must end before the next one starts`,
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  const limits: CollectorLimits = { samples: c.sample_limit, labels: c.label_limit, labelValueLength: c.label_value_length_limit };
  return { ok: true, value: { id: c.id, type: definition.type, intervalMs, timeoutMs, jitter: c.jitter, labels: c.labels, limits, config } };
}

const RENAMED: Record<string, string[]> = {
  interval: ['intervalMs'],
  timeout: ['timeoutMs'],
  sample_limit: ['limits', 'samples'],
  label_limit: ['limits', 'labels'],
  label_value_length_limit: ['limits', 'labelValueLength'],
};

/** Where a path under `collectors` lands in the Workload: common keys (renamed) stay, the type's keys move under `config`. */
export function collectorsOutputPath(rest: Path): Path {
  const [index, key, ...more] = rest;
  if (typeof index !== 'number' || typeof key !== 'string') return rest;
  if (RENAMED[key]) return [index, ...RENAMED[key], ...more];
  if (COMMON_KEYS.has(key)) return rest;
  return [index, 'config', key, ...more];
}
