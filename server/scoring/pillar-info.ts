import type { Pillar } from './types.js';

/**
 * What each Well-Architected pillar is called and what it covers, for people: the API, the
 * dashboard (through the API), `/metrics` help and the weekly report all read these, so the
 * six names and sentences exist once. The sentences are our own summary of the framework's
 * pillar definitions (AWS Well-Architected Framework, "The pillars of the framework").
 */

export const PILLAR_TITLES: Readonly<Record<Pillar, string>> = {
  operational_excellence: 'Operational excellence',
  security: 'Security',
  reliability: 'Reliability',
  performance_efficiency: 'Performance efficiency',
  cost_optimization: 'Cost optimization',
  sustainability: 'Sustainability',
};

/** One line per pillar: what it covers, in plain words, short enough for a tile. */
export const PILLAR_DESCRIPTIONS: Readonly<Record<Pillar, string>> = {
  operational_excellence: 'Running the workload well, and getting better at running it.',
  security: 'Protecting data, systems and who may access them.',
  reliability: 'Doing the intended job correctly, and recovering fast from failure.',
  performance_efficiency: 'Using computing resources to meet demand quickly, as demand changes.',
  cost_optimization: 'Delivering the business value at the lowest price.',
  sustainability: 'Keeping the energy and hardware the workload uses to a minimum.',
};
