import type { Sample } from './types.js';
import type { JsonConfig, JsonMetric } from './json-config.js';
import { parseJsonPath, selectAll, selectsFromEmpty, type CompiledPath } from './json-path.js';
import { toLabelValue, toSampleValue, toTimestamp, type Converted } from './json-values.js';

/**
 * Picks samples out of the pages of one run. A metric with `items` is read from every page;
 * one without (a single figure at the document's root, such as a total) from the first page
 * only, since every page of a paginated answer usually repeats it.
 *
 * Failure contract: a path that finds nothing (or null) — a value, label or timestamp in an
 * item, a root label, an `items` path leading nowhere — fails the run with a
 * `JsonExtractError` naming the collector, metric, path, item and page, unless
 * `on_missing: skip`, which leaves the items out and reports a count per metric and cause in
 * the warnings. A value of the wrong kind (an object, a string that is not a number), a path
 * that matches several values, a negative counter or two items giving the same series at the
 * same time always fail the run: they mean the paths are wrong, not that data is absent.
 */

export class JsonExtractError extends Error {
  override readonly name = 'JsonExtractError';
}

interface CompiledMetric {
  spec: JsonMetric;
  items?: CompiledPath;
  value: CompiledPath;
  labels: [string, CompiledPath][];
  rootLabels: [string, CompiledPath][];
  timestamp?: CompiledPath;
}

interface Skipped {
  count: number;
  first: string;
}

export class Extractor {
  private readonly metrics: CompiledMetric[];
  private readonly samples: Sample[] = [];
  private readonly seen = new Map<string, string>();
  private readonly skipped = new Map<string, Skipped>();

  constructor(
    private readonly config: JsonConfig,
    private readonly collectorId: string,
    private readonly now: number,
  ) {
    this.metrics = config.metrics.map((m) => ({
      spec: m,
      items: m.items === undefined ? undefined : compile(m.items),
      value: compile(m.value),
      labels: Object.entries(m.labels ?? {}).map(([k, p]) => [k, compile(p)]),
      rootLabels: Object.entries(m.root_labels ?? {}).map(([k, p]) => [k, compile(p)]),
      timestamp: m.timestamp === undefined ? undefined : compile(m.timestamp),
    }));
  }

  /** Reads one page (1-based); throws JsonExtractError on a problem that fails the run. */
  page(doc: unknown, pageNo: number): void {
    for (const m of this.metrics) {
      if (!m.items && pageNo > 1) continue;
      const where = (i: number) => `${m.items ? `item ${i + 1} of ${m.spec.items}` : 'the document'}${pageNo > 1 || this.config.pagination ? ` on page ${pageNo}` : ''}`;
      const onPage = pageNo > 1 || this.config.pagination ? `page ${pageNo}` : 'the document';
      const items = m.items ? selectAll(m.items, doc) : [doc];
      if (items.length === 0 && m.items && !selectsFromEmpty(m.items, doc)) {
        this.missing(m, `items path ${m.spec.items} matched nothing`, `in ${onPage}`);
        continue;
      }
      if (items.length === 0) continue;
      const shared = this.rootLabels(m, doc, onPage);
      if (shared) items.forEach((item, i) => this.item(m, item, where(i), shared));
    }
  }

  /** The samples of all pages read, and the warnings about skipped items. */
  result(): { samples: Sample[]; warnings: string[] } {
    const warnings = [...this.skipped].map(([key, s]) => `${key}: skipped ${s.count} time${s.count === 1 ? '' : 's'} (first ${s.first})`);
    return { samples: this.samples, warnings };
  }

  /** The metric's `root_labels` on this page; undefined when one is missing and the page's items are skipped. */
  private rootLabels(m: CompiledMetric, doc: unknown, onPage: string): Record<string, string> | undefined {
    const shared: Record<string, string> = {};
    for (const [name, path] of m.rootLabels) {
      const v = this.pick(m, `root label ${name}`, path, doc, onPage, toLabelValue);
      if (v === undefined) return undefined;
      shared[name] = v;
    }
    return shared;
  }

  private item(m: CompiledMetric, item: unknown, where: string, shared: Record<string, string>): void {
    const value = this.pick(m, 'value', m.value, item, where, toSampleValue);
    if (value === undefined) return;
    if (m.spec.type === 'counter' && !(value >= 0)) {
      throw this.error(m, `value path ${m.value.source} gave ${value} in ${where}; a counter is never negative or NaN (use type: gauge)`);
    }
    const labels: Record<string, string> = { ...shared };
    for (const [name, path] of m.labels) {
      const v = this.pick(m, `label ${name}`, path, item, where, toLabelValue);
      if (v === undefined) return;
      labels[name] = v;
    }
    let ts = this.now;
    if (m.timestamp) {
      const t = this.pick(m, 'timestamp', m.timestamp, item, where, (v) => toTimestamp(v, m.spec.timestamp_unit));
      if (t === undefined) return;
      ts = t;
    }
    const key = `${m.spec.name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}@${ts}`;
    const earlier = this.seen.get(key);
    if (earlier !== undefined) {
      throw this.error(m, `${where} gives the same series ${formatLabels(labels)} at the same time as ${earlier}; add a label that tells them apart`);
    }
    this.seen.set(key, where);
    this.samples.push({ name: m.spec.name, labels, ts, value });
  }

  /** The one value `path` selects in `item`, converted; undefined when the item is skipped. */
  private pick<T>(m: CompiledMetric, what: string, path: CompiledPath, item: unknown, where: string, convert: (v: unknown) => Converted<T>): T | undefined {
    const found = selectAll(path, item);
    if (found.length > 1) {
      throw this.error(m, `${what} path ${path.source} matched ${found.length} values in ${where}; it must pick one per item (set items: to the list)`);
    }
    if (found.length === 0 || found[0] === null) {
      // The usual slip: `items: $.data` (the list as one item) instead of `$.data[*]`.
      const hint = found.length === 0 && Array.isArray(item) && m.spec.items !== undefined ? `; the item is a list: did you mean items: ${m.spec.items}[*]?` : '';
      this.missing(m, `${what} path ${path.source} ${found.length === 0 ? 'matched nothing' : 'found null'}`, `in ${where}${hint}`);
      return undefined;
    }
    const c = convert(found[0]);
    if (!c.ok) throw this.error(m, `${what} path ${path.source}: ${c.problem} in ${where}`);
    return c.value;
  }

  private missing(m: CompiledMetric, cause: string, where: string): void {
    if (this.config.on_missing === 'error') {
      throw this.error(m, `${cause} ${where} (on_missing: skip would leave such items out)`);
    }
    const key = `metric "${m.spec.name}": ${cause}`;
    const s = this.skipped.get(key);
    if (s) s.count++;
    else this.skipped.set(key, { count: 1, first: where });
  }

  private error(m: CompiledMetric, message: string): JsonExtractError {
    return new JsonExtractError(`collector "${this.collectorId}", metric "${m.spec.name}": ${message}`);
  }
}

function compile(source: string): CompiledPath {
  const r = parseJsonPath(source);
  // The config schema has checked every path; failing here is a bug, not a user error.
  if (!r.ok) throw new Error(`JSONPath ${source} passed validation but does not parse: ${r.message}`);
  return r.path;
}

function formatLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${parts.join(', ')}}`;
}
