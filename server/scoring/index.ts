/**
 * The scoring core: pure functions over plain data (no database, clock or environment).
 * collectors → samples → aggregate → scoreIndicator / evaluateSlo → scoreOutcome, scorePillars.
 * The math is documented in docs/scoring.md.
 */
export * from './types.js';
export * from './format.js';
export * from './aggregate.js';
export * from './indicator.js';
export * from './burn-rate.js';
export * from './slo.js';
export * from './rollup.js';
export * from './outcome.js';
export * from './pillar.js';
export * from './pillar-info.js';
export * from './staleness.js';
