import { labelName } from './naming.js';
import type { AnyValue, Int64, KeyValue } from './types.js';

/** A 64-bit integer from protobufjs (Long, number or decimal string) as a number. */
export function int64(v: Int64 | null | undefined): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return v.toNumber();
}

/** An attribute value as a label value: strings as they are, numbers and booleans as text, arrays and maps as JSON (as Prometheus does). */
export function attributeText(v: AnyValue | null | undefined): string {
  if (!v) return '';
  switch (v.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ? 'true' : 'false';
    case 'intValue':
      return typeof v.intValue === 'object' && v.intValue !== null ? String(v.intValue) : String(int64(v.intValue));
    case 'doubleValue':
      return String(v.doubleValue ?? 0);
    case 'bytesValue':
      return Buffer.from(v.bytesValue ?? new Uint8Array()).toString('base64');
    case 'arrayValue':
    case 'kvlistValue':
      return JSON.stringify(plain(v));
    default:
      return '';
  }
}

/** Nesting kept when an array or map attribute is written as JSON; deeper values become null. */
const MAX_VALUE_DEPTH = 32;

function plain(v: AnyValue | null | undefined, depth = 0): unknown {
  if (!v || depth > MAX_VALUE_DEPTH) return null;
  switch (v.value) {
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map((x) => plain(x, depth + 1));
    case 'kvlistValue':
      return Object.fromEntries((v.kvlistValue?.values ?? []).map((kv) => [kv.key, plain(kv.value, depth + 1)]));
    case 'boolValue':
      return v.boolValue === true;
    case 'doubleValue':
      return v.doubleValue ?? 0;
    case 'intValue':
      return int64(v.intValue);
    default:
      return attributeText(v);
  }
}

/** Sanitised names of the attribute keys seen, so the hot path does not run the regexes again (bounded). */
const NAMES = new Map<string, string>();
const MAX_CACHED_NAMES = 10_000;

function cachedLabelName(key: string): string {
  let name = NAMES.get(key);
  if (name === undefined) {
    name = labelName(key);
    if (NAMES.size < MAX_CACHED_NAMES) NAMES.set(key, name);
  }
  return name;
}

/**
 * Attributes as labels: names sanitised (naming.ts), values as text. Two keys that sanitise to
 * the same name (`a.b` and `a_b`) give one label whose values are joined with `;` in key order,
 * as Prometheus does. Keys that leave no name are dropped; `skip` keys too. Returns how many
 * labels it set.
 */
export function attributeLabels(attrs: readonly KeyValue[] | null | undefined, into: Record<string, string>, skip?: (key: string) => boolean): number {
  if (!attrs || attrs.length === 0) return 0;
  let sorted = true;
  for (let i = 1; i < attrs.length && sorted; i++) sorted = attrs[i - 1]!.key <= attrs[i]!.key;
  const list = sorted ? attrs : [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const names: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const kv = list[i]!;
    if (skip?.(kv.key)) continue;
    const name = cachedLabelName(kv.key);
    if (name === '') continue;
    const value = attributeText(kv.value);
    if (names.includes(name)) {
      into[name] = `${into[name]};${value}`;
      continue;
    }
    names.push(name);
    into[name] = value;
  }
  return names.length;
}

/**
 * The labels every point of a resource carries: `job` from `service.name` (as
 * `<service.namespace>/<service.name>` when there is a namespace), `instance` from
 * `service.instance.id`, and the other resource attributes `skip` lets through (by default all
 * but `process.*` and `telemetry.*`: settings.ts; docs/collectors.md, "OTLP metrics").
 */
export function resourceLabels(
  attrs: readonly KeyValue[] | null | undefined,
  skip: (key: string) => boolean,
): { labels: Record<string, string>; job?: string; instance?: string } {
  const labels: Record<string, string> = {};
  attributeLabels(attrs, labels, skip);
  let name: string | undefined;
  let namespace: string | undefined;
  let instance: string | undefined;
  for (const kv of attrs ?? []) {
    if (kv.key === 'service.name') name = attributeText(kv.value);
    else if (kv.key === 'service.namespace') namespace = attributeText(kv.value);
    else if (kv.key === 'service.instance.id') instance = attributeText(kv.value);
  }
  const job = name === undefined ? undefined : namespace ? `${namespace}/${name}` : name;
  return { labels, ...(job !== undefined ? { job } : {}), ...(instance !== undefined ? { instance } : {}) };
}
