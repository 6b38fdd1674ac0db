import type { OperationsSettings } from '../events/types.js';
import { DEFAULT_DERIVED_SETTINGS, type DerivedSettings } from './types.js';

/**
 * DerivedSettings from the workload's `operations:` section (validated, defaults applied by
 * server/workload/sections/operations.ts): benchmark year, production environments, runbooks.
 * Without the section, the defaults (2023; production and prod).
 */
export function derivedSettingsFrom(ops: OperationsSettings | null | undefined): DerivedSettings {
  if (!ops) return DEFAULT_DERIVED_SETTINGS;
  return {
    ...DEFAULT_DERIVED_SETTINGS,
    benchmarkYear: ops.dora.benchmarkYear,
    productionEnvironments: ops.productionEnvironments,
    runbooks: ops.runbooks.map((r) => ({ id: r.id, title: r.title, owner: r.owner, reviewed: r.reviewedAt, url: r.url })),
  };
}
