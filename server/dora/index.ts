export * from './types.js';
export { computeDerived } from './compute.js';
export { tierOf, TIER_TABLES, BENCHMARK_SOURCES, type KeyThresholds } from './tiers.js';
export { SERIES, reportSamples } from './series.js';
export { missingDataHint } from './missing-hints.js';
export { derivedSettingsFrom } from './settings.js';
export { DerivedSeriesJob, type DerivedSeriesJobOptions, type SampleSink } from './job.js';
export { requestRunAfterEvents, requestRunOnWrite } from './wiring.js';
