import { Registry, type Metric } from 'prom-client';

type AnyMetric = Metric<string>;
type RenderOne = (this: Registry, metric: AnyMetric) => Promise<string>;

/** prom-client's own rendering of one metric (what Registry.metrics() calls for each). */
const renderOne = (Registry.prototype as unknown as { getMetricsAsString?: RenderOne }).getMetricsAsString;

interface Cached {
  key: () => unknown;
  /** Bumped by setDefaultLabels, which changes every line. */
  generation: number;
  has: boolean;
  lastKey?: unknown;
  text?: string;
  /** `text` as UTF-8, made on first use. */
  bytes?: Buffer;
}

const BLANK_LINE = Buffer.from('\n\n');
const NEWLINE = Buffer.from('\n');

/**
 * A prom-client Registry that can keep a metric's rendered exposition text while a key stays
 * the same. The evaluation gauges are a function of the latest evaluation snapshot alone, and
 * with 500 indicators they are thousands of series (~300 KB): rendering them on every scrape
 * cost ~10 ms, now they are rendered once per snapshot. Every scrape still asks each cached
 * metric for its key (the latest snapshot), so a new evaluation — or a reload, which evaluates
 * at once — shows on the next scrape, in the same order and the same text as without a cache.
 *
 * It overrides `getMetricsAsString`, which prom-client's `metrics()` calls once per metric
 * (prom-client 15). Should a version not have it, nothing is cached: metrics() and
 * metricsBuffer() render everything every time, as a plain Registry does.
 */
export class CachingRegistry extends Registry {
  private readonly cached = new WeakMap<AnyMetric, Cached>();
  private generation = 0;

  /** Renders `metric` again only when `key()` returns something else (compared with ===). */
  cacheWhile(metric: AnyMetric, key: () => unknown): void {
    this.cached.set(metric, { key, generation: this.generation, has: false });
  }

  override setDefaultLabels(labels: object): void {
    this.generation++;
    super.setDefaultLabels(labels);
  }

  async getMetricsAsString(metric: AnyMetric): Promise<string> {
    return (await this.render(metric)).text!;
  }

  /**
   * `metrics()` as UTF-8 bytes, what `/metrics` sends: the same text, but the cached metrics'
   * bytes are reused instead of joining and re-encoding ~300 KB on every scrape.
   */
  async metricsBuffer(): Promise<Buffer> {
    if (!renderOne || this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return Buffer.from(await this.metrics(), 'utf8');
    const rendered = await Promise.all((this.getMetricsAsArray() as unknown as AnyMetric[]).map((m) => this.render(m)));
    // As Registry.metrics() joins them for the Prometheus text format: a blank line between
    // metrics, a newline at the end.
    const parts: Buffer[] = [];
    for (const r of rendered) {
      if (parts.length > 0) parts.push(BLANK_LINE);
      parts.push(r.bytes ?? (r.bytes = Buffer.from(r.text!, 'utf8')));
    }
    parts.push(NEWLINE);
    return Buffer.concat(parts);
  }

  /** A metric's text: kept while its key is unchanged, rendered by prom-client otherwise. */
  private async render(metric: AnyMetric): Promise<{ text?: string; bytes?: Buffer }> {
    const c = this.cached.get(metric);
    if (!c) return { text: await renderOne!.call(this, metric) };
    const key = c.key();
    const generation = this.generation;
    if (c.has && c.lastKey === key && c.generation === generation) return c;
    const text = await renderOne!.call(this, metric);
    Object.assign(c, { has: true, lastKey: key, generation, text, bytes: undefined });
    return c;
  }
}
