import { z } from 'zod';

/**
 * Documentation facts the zod types cannot say by themselves, read by
 * `reference.ts` to generate the field reference in docs/workload.md.
 * Descriptions themselves use zod's `.describe()`.
 */
export interface DocMeta {
  /** Shown instead of the inferred type, e.g. "duration" or "slug". */
  type?: string;
  /** Shown when the default is computed rather than a constant. */
  default?: string;
  /** For an entry validated by a transform: the schema whose fields to document (a thunk: zod's registry types can't hold schemas). */
  fields?: () => unknown;
}

export const docs = z.registry<DocMeta>();
