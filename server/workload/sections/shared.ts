import { z } from 'zod';
import { docs } from '../doc-meta.js';

/** Ids that appear in URLs, metric labels and file names: lowercase, no spaces. */
export const slugSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, {
    message: 'must start with a lowercase letter and contain only lowercase letters, digits, "_" and "-"',
  })
  .register(docs, { type: 'slug' });

/** Prometheus label names; `__` prefixes are reserved for Prometheus itself. */
export const labelNameSchema = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'a label name is letters, digits and "_", not starting with a digit' })
  .refine((name) => !name.startsWith('__'), { message: 'label names starting with "__" are reserved' });

/** Label values are strings; quote numbers (`version: "2"`) so YAML does not turn them into numbers. */
export const labelsSchema = z.record(labelNameSchema, z.string()).register(docs, { type: 'map of label name → string' });

/** An IANA time zone name the runtime knows, checked with Intl so it matches what formatting will use. */
export const timezoneSchema = z
  .string()
  .refine(isKnownTimeZone, { message: 'unknown time zone; use an IANA name such as "Europe/Berlin" or "UTC"' })
  .register(docs, { type: 'IANA time zone' });

function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
