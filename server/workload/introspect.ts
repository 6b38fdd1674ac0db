import { z } from 'zod';
import { docs, type DocMeta } from './doc-meta.js';
import type { Path } from '../validation/path.js';

/**
 * Reading zod schemas as data: which keys an object allows (for "did you mean"
 * hints) and what a field documents (for the generated reference). Only the
 * schema kinds the workload schema uses are understood; anything else is
 * treated as an opaque leaf.
 */

type AnySchema = z.core.$ZodType;

export interface Unwrapped {
  /** The schema with optional/default/prefault/nullable wrappers and pipes (input side) removed. */
  base: AnySchema;
  optional: boolean;
  /** The default as written in the file, when there is a constant one. */
  defaultValue?: unknown;
  description?: string;
  meta: DocMeta;
}

function def(schema: AnySchema): { type: string } & Record<string, unknown> {
  return schema._zod.def as unknown as { type: string } & Record<string, unknown>;
}

export function unwrap(schema: AnySchema): Unwrapped {
  const result: Unwrapped = { base: schema, optional: false, meta: {} };
  let s: AnySchema | undefined = schema;
  while (s) {
    result.base = s;
    result.description ??= z.globalRegistry.get(s)?.description;
    const meta = docs.get(s);
    if (meta) result.meta = { ...meta, ...result.meta };
    const d = def(s);
    if (d.type === 'optional' || d.type === 'nullable') {
      result.optional = true;
      s = d.innerType as AnySchema;
    } else if (d.type === 'default' || d.type === 'prefault') {
      if (!('defaultValue' in result)) result.defaultValue = d.defaultValue;
      s = d.innerType as AnySchema;
    } else if (d.type === 'pipe') {
      s = d.in as AnySchema;
    } else {
      s = undefined;
    }
  }
  return result;
}

/** The fields of an object schema (or of an entry documented by `fields`), else undefined. */
export function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  const u = unwrap(schema);
  const target = u.meta.fields ? unwrap(u.meta.fields() as AnySchema).base : u.base;
  const d = def(target);
  return d.type === 'object' ? (d.shape as Record<string, AnySchema>) : undefined;
}

/** The element schema of an array, the value schema of a record, else undefined. */
export function childSchema(schema: AnySchema, seg: string | number): AnySchema | undefined {
  const u = unwrap(schema);
  const d = def(u.base);
  if (d.type === 'array' && typeof seg === 'number') return d.element as AnySchema;
  if (d.type === 'record') return d.valueType as AnySchema;
  return objectShape(schema)?.[String(seg)];
}

/** The schema that validates the value at `path`, as far as it can be followed. */
export function schemaAt(schema: AnySchema, path: Path): AnySchema | undefined {
  let s: AnySchema | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    s = childSchema(s, seg);
  }
  return s;
}

/** The keys an object at `path` accepts, for unknown-key hints. */
export function keysAt(schema: AnySchema, path: Path): string[] | undefined {
  const s = schemaAt(schema, path);
  const shape = s && objectShape(s);
  return shape ? Object.keys(shape) : undefined;
}
