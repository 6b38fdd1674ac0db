/**
 * Delta temporality turned into cumulative values: each delta series (metric name and labels)
 * keeps its running total here, in memory. The totals are lost when the server restarts: the
 * next delta point starts the series from its own value again, which a query reads as a counter
 * reset (rate() and increase() handle that). Documented in docs/collectors.md, "OTLP metrics".
 *
 * A request's changes are staged and kept only once its samples are stored (`commit`), so an
 * export that failed and is retried is not counted twice. A delta point whose end time is not
 * after the last one stored for its series (a retry of an export that was stored) is refused.
 */

export interface SumState {
  kind: 'sum';
  total: number;
  endMs: number;
}

export interface HistogramState {
  kind: 'histogram';
  count: number;
  sum: number;
  buckets: number[];
  bounds: readonly number[];
  endMs: number;
}

export type DeltaEntry = SumState | HistogramState;

export class DeltaTotals {
  private readonly totals = new Map<string, DeltaEntry>();

  /** @param maxSeries most delta series kept; a point of a new series beyond it is refused. */
  constructor(readonly maxSeries = 100_000) {}

  get size(): number {
    return this.totals.size;
  }

  /** A request's view: reads through to the kept totals, writes stay staged until commit(). */
  stage(): DeltaStage {
    return new DeltaStage(this.totals, this.maxSeries);
  }
}

export class DeltaStage {
  private readonly staged = new Map<string, DeltaEntry>();

  constructor(
    private readonly totals: Map<string, DeltaEntry>,
    readonly maxSeries: number,
  ) {}

  get(key: string): DeltaEntry | undefined {
    return this.staged.get(key) ?? this.totals.get(key);
  }

  /** Whether a new series may be started (false once maxSeries are kept). */
  roomFor(key: string): boolean {
    return this.get(key) !== undefined || this.totals.size + this.staged.size < this.maxSeries;
  }

  set(key: string, entry: DeltaEntry): void {
    this.staged.set(key, entry);
  }

  /** Keeps the staged totals of the series `kept` accepts (all by default). */
  commit(kept: (key: string) => boolean = () => true): void {
    for (const [key, entry] of this.staged) if (kept(key)) this.totals.set(key, entry);
    this.staged.clear();
  }
}
