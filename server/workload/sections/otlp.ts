import { z } from 'zod';
import { DEFAULT_OTLP_SETTINGS, type OtlpSettings } from '../../otlp/settings.js';
import { docs } from '../doc-meta.js';
import type { Path } from '../../validation/path.js';

const attributeKeys = z
  .array(z.string().trim().min(1, { message: 'must not be empty' }))
  .register(docs, { type: 'list of attribute keys (a trailing * matches a prefix)' });

/** `otlp:` — what POST /v1/metrics makes of OpenTelemetry metrics. Optional; every key has a default. See docs/collectors.md, "OTLP metrics". */
export const otlpSchema = z
  .strictObject({
    promote_all_resource_attributes: z
      .boolean()
      .default(DEFAULT_OTLP_SETTINGS.promoteAllResourceAttributes)
      .describe('Every resource attribute becomes a label (service.name and service.instance.id become job and instance), except ignore_resource_attributes.'),
    promote_resource_attributes: attributeKeys
      .default(DEFAULT_OTLP_SETTINGS.promoteResourceAttributes)
      .describe('With promote_all_resource_attributes: false, the resource attributes that become labels.'),
    ignore_resource_attributes: attributeKeys
      .default(DEFAULT_OTLP_SETTINGS.ignoreResourceAttributes)
      .describe('With promote_all_resource_attributes: true, the resource attributes that do not become labels (they change with every process start or describe the SDK).'),
    delta_temporality: z
      .enum(['convert', 'refuse'])
      .default(DEFAULT_OTLP_SETTINGS.deltaTemporality)
      .describe('convert: delta sums and histograms are accumulated into cumulative series (totals kept in memory, lost on restart); refuse: their points are refused in partial_success.'),
  })
  .transform(
    (o): OtlpSettings => ({
      promoteAllResourceAttributes: o.promote_all_resource_attributes,
      promoteResourceAttributes: o.promote_resource_attributes,
      ignoreResourceAttributes: o.ignore_resource_attributes,
      deltaTemporality: o.delta_temporality,
    }),
  )
  .prefault({})
  .describe('OTLP metrics in (POST /v1/metrics). Optional.');

const RENAMED: Record<string, string> = {
  promote_all_resource_attributes: 'promoteAllResourceAttributes',
  promote_resource_attributes: 'promoteResourceAttributes',
  ignore_resource_attributes: 'ignoreResourceAttributes',
  delta_temporality: 'deltaTemporality',
};

/** Where a path under `otlp` lands in the Workload (`delta_temporality` → `deltaTemporality`). */
export function otlpOutputPath(rest: Path): Path {
  const [key, ...more] = rest;
  return typeof key === 'string' && RENAMED[key] ? [RENAMED[key], ...more] : rest;
}
