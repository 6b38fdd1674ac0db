import type { CollectorDefinition } from './types.js';
import { prometheus } from './prometheus.js';
import { scrape } from './scrape.js';
import { http } from './http.js';
import { host } from './host.js';
import { git } from './git.js';
import { json } from './json.js';
import { sql } from './sql.js';

/** A definition of any config type: each collector's `collect` takes its own config, so the list is heterogeneous. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCollectorDefinition = CollectorDefinition<any>;

/**
 * The one list of collector types. Adding a collector is a new file in this folder and
 * one entry here; nothing else in the code base names a type.
 */
export const collectorDefinitions: readonly AnyCollectorDefinition[] = [prometheus, scrape, http, host, git, json, sql];

const TYPE_NAME = /^[a-z][a-z0-9_]*$/;

/** type → definition. Throws on a duplicate or malformed type, so a clash fails at startup. */
export function buildRegistry(defs: readonly AnyCollectorDefinition[]): ReadonlyMap<string, AnyCollectorDefinition> {
  const registry = new Map<string, AnyCollectorDefinition>();
  for (const def of defs) {
    if (!TYPE_NAME.test(def.type)) {
      throw new Error(`collector type "${def.type}" is invalid: use lowercase letters, digits and _ , starting with a letter`);
    }
    if (registry.has(def.type)) throw new Error(`collector type "${def.type}" is registered twice`);
    registry.set(def.type, def);
  }
  return registry;
}

export const collectorRegistry: ReadonlyMap<string, AnyCollectorDefinition> = buildRegistry(collectorDefinitions);

export type { CollectorDefinition, CollectContext, CollectResult, Sample, OperationalEvent } from './types.js';
export { PartialCollectError } from './types.js';
