import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { childSchema, objectShape, unwrap, type Unwrapped } from './introspect.js';
import { buildWorkloadSchema } from './schema.js';

/**
 * The field reference in docs/workload.md, generated from the schema so the
 * documentation cannot drift: a test fails when the committed table differs
 * from what this renders. Regenerate with
 *   node --import tsx server/workload/reference.ts
 * Type-specific collector fields are documented with each collector type.
 */

export const BEGIN = '<!-- BEGIN GENERATED: workload fields (node --import tsx server/workload/reference.ts) -->';
export const END = '<!-- END GENERATED: workload fields -->';

type AnySchema = z.core.$ZodType;

interface Row {
  key: string;
  type: string;
  default: string;
  meaning: string;
}

export function renderFieldReference(): string {
  const rows: Row[] = [];
  const schema = buildWorkloadSchema({ registry: new Map() });
  walkFields(schema, '', rows);
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| Key | Type | Default | Meaning |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.meaning)} |`),
  ].join('\n');
}

function walkFields(schema: AnySchema, prefix: string, rows: Row[]): void {
  const shape = objectShape(schema);
  if (!shape) return;
  for (const [key, field] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const u = unwrap(field);
    rows.push({ key: path, type: typeName(field), default: defaultText(u), meaning: u.description ?? '' });
    const element = childSchema(field, 0);
    if (kind(u.base) === 'array' && element && objectShape(element)) walkFields(element, `${path}[]`, rows);
    else if (kind(u.base) === 'object') walkFields(field, path, rows);
  }
}

function kind(schema: AnySchema): string {
  return (schema._zod.def as { type: string }).type;
}

function typeName(schema: AnySchema): string {
  const u = unwrap(schema);
  if (u.meta.type) return u.meta.type;
  const def = u.base._zod.def as unknown as Record<string, unknown>;
  switch (def.type) {
    case 'literal':
      return (def.values as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
    case 'object':
      return 'mapping';
    case 'array': {
      const element = def.element as AnySchema;
      return objectShape(element) ? 'list of mappings' : `list of ${typeName(element)}`;
    }
    case 'record':
      return `map of string → ${typeName(def.valueType as AnySchema)}`;
    default:
      return String(def.type);
  }
}

function defaultText(u: Unwrapped): string {
  if (u.meta.default) return u.meta.default;
  if ('defaultValue' in u && u.defaultValue !== undefined) {
    const v = u.defaultValue;
    if (Array.isArray(v) && v.length === 0) return 'empty list';
    if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return kind(u.base) === 'object' ? 'all defaults' : 'empty';
    return `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
  }
  return u.optional ? 'absent' : '**required**';
}

/** `markdown` with the text between BEGIN and END replaced by the current reference. */
export function updateReference(markdown: string): string {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start === -1 || end < start) throw new Error(`markers not found: ${BEGIN} … ${END}`);
  return `${markdown.slice(0, start + BEGIN.length)}\n${renderFieldReference()}\n${markdown.slice(end)}`;
}

if (require.main === module) {
  const file = join(__dirname, '..', '..', 'docs', 'workload.md');
  writeFileSync(file, updateReference(readFileSync(file, 'utf8')));
  process.stdout.write(`updated ${file}\n`);
}
