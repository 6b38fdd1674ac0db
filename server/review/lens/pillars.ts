import type { Pillar } from '../../scoring/types.js';

/**
 * The pillar ids the custom-lens format reserves for the framework's six pillars (lens format
 * specification, "Pillars section"), and Pillarboard's pillar for each. Any other pillar id in a
 * lens is a pillar of its own: reported separately, never folded into one of the six.
 */
export const LENS_PILLAR_TO_PILLAR: Readonly<Record<string, Pillar>> = {
  operationalExcellence: 'operational_excellence',
  security: 'security',
  reliability: 'reliability',
  performance: 'performance_efficiency',
  costOptimization: 'cost_optimization',
  sustainability: 'sustainability',
};

/** Pillarboard's pillar for a lens pillar id, or null for a lens's own pillar. */
export function pillarOf(lensPillarId: string): Pillar | null {
  return Object.prototype.hasOwnProperty.call(LENS_PILLAR_TO_PILLAR, lensPillarId) ? LENS_PILLAR_TO_PILLAR[lensPillarId]! : null;
}
