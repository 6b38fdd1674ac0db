import { z } from 'zod';
import type { SelectorSpec } from '../../evaluation/spec.js';
import { parseSelector, SelectorError } from '../../store/selector.js';
import { docs } from '../doc-meta.js';
import { tryParseDuration } from '../duration.js';
import { describeValue } from '../../validation/zod-issues.js';

/**
 * The value types of the `indicators:` section: selectors, percentages and objective bounds.
 * Each turns what the user wrote into what the evaluation engine reads (spec.ts), or reports
 * an issue at the value.
 */

/** A PromQL-style series selector, parsed now so a typo is a load error, not a silent no_data. */
export const selectorSchema = z
  .string()
  .transform((written, ctx): SelectorSpec => {
    const text = written.trim();
    try {
      return { text, selector: parseSelector(text, 'invalid selector') };
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      // The parser's message carries the position inside the selector ("at position 12").
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  })
  .register(docs, { type: 'selector' });

const PERCENT = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%$/;

/**
 * `"99.5%"` → 0.995; undefined when `text` is not a percentage. Rounded to 15 significant
 * digits so decimal percentages give the decimal ratio (99.9 / 100 is 0.9990000000000001 in
 * binary; written as 99.9% it means 0.999).
 */
export function parsePercent(text: string): number | undefined {
  const m = PERCENT.exec(text.trim());
  return m ? decimal(Number(m[1]) / 100) : undefined;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number written as a string (`"0.5"`, as `${VAR}` always gives), else undefined. */
function parseNumber(text: string): number | undefined {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}

function decimal(n: number): number {
  return Number(n.toPrecision(15));
}

/** A ratio: a number (also quoted), or a percentage string (`99.9%`). Range checks belong to the caller. */
export const ratioValueSchema = z
  .unknown()
  .transform((v, ctx): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const p = parsePercent(v) ?? parseNumber(v);
      if (p !== undefined) return p;
    }
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: 'missing value', params: { missing: 'a percentage like "99.9%"' } });
      return z.NEVER;
    }
    ctx.addIssue({ code: 'custom', message: `expected a percentage like "99.9%" or a number like 0.999, found ${describeValue(v)}` });
    return z.NEVER;
  })
  .register(docs, { type: 'percentage or number' });

/** A ratio from 0 to 1 inclusive (`25%`, `0.25`). */
export const fractionSchema = ratioValueSchema
  .refine((n) => n >= 0 && n <= 1, { message: 'must be between 0% and 100% (0 and 1)' })
  .register(docs, { type: 'percentage 0–100%' });

/**
 * A bound of an objective, in the indicator's unit: a number (also quoted, so it can come
 * from `${VAR}`); a percentage (`"5%"` → 0.05,
 * for ratio indicators); or a duration (`"300ms"` → 0.3), read as **seconds** because
 * latency indicators are in seconds, as Prometheus's are.
 */
export const objectiveValueSchema = z
  .unknown()
  .transform((v, ctx): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const p = parsePercent(v) ?? parseNumber(v);
      if (p !== undefined) return p;
      const text = v.trim();
      const ms = tryParseDuration(text);
      if (typeof ms === 'number') return decimal(ms / 1000);
      // A string with a unit-like ending was meant as a duration: its own reason helps more.
      if (/^[+-]?[\d.]+\s*[a-zµ]+$/i.test(text)) {
        ctx.addIssue({ code: 'custom', message: `${ms}; objective durations are read as seconds` });
        return z.NEVER;
      }
    }
    ctx.addIssue({
      code: 'custom',
      message: `expected a number, a percentage like "5%" or a duration like "300ms" (read as seconds), found ${describeValue(v)}`,
    });
    return z.NEVER;
  })
  .register(docs, { type: 'number, percentage or duration' });
