import type Database from 'better-sqlite3';
import type { Sample } from '../../collectors/types.js';
import type { Db } from './db.js';
import type { StoreBounds } from './meta.js';
import * as codec from './rollupCodec.js';
import type { RollupStore } from './rollups.js';
import { InvalidSampleError, type SeriesRegistry } from './series.js';

const { HOUR_MS } = codec; // module-local: read once per sample on the ingest path

/**
 * The only writer and reader of raw samples (`samples_head` and `samples`).
 *
 * A (series, ts) lives in exactly one place, chosen by ts: the head when
 * ts >= bounds.headFrom, `samples` below it, and only the hourly rollup below
 * bounds.rawHorizon. Reads stitch the parts together, so callers never see the
 * split.
 *
 * NaN: SQLite cannot store NaN, so it is stored as NULL and read back as NaN
 * (Prometheus staleness markers survive a round trip: latestSample() shows a
 * series went stale). NaN is never aggregated: rollups and bucketed queries
 * skip it. +Inf and -Inf are stored and aggregated as they are.
 */
export class SampleWriter {
  /** Rows written to the head since it was last counted (an upper bound: replacements count too). */
  headRows: number;
  private readonly upsertHead: Database.Statement;
  private readonly upsertCold: Database.Statement;
  private readonly rangeHead: Database.Statement;
  private readonly rangeCold: Database.Statement;
  private readonly latestHead: Database.Statement;
  private readonly latestCold: Database.Statement;
  private readonly firstHead: Database.Statement;
  private readonly firstCold: Database.Statement;

  constructor(
    db: Db,
    private readonly series: SeriesRegistry,
    private readonly rollups: RollupStore,
    private readonly bounds: StoreBounds,
  ) {
    this.upsertHead = db.prepare(
      'INSERT INTO samples_head (ts, series_id, value) VALUES (?, ?, ?) ON CONFLICT (ts, series_id) DO UPDATE SET value = excluded.value',
    );
    this.upsertCold = db.prepare(
      'INSERT INTO samples (series_id, ts, value) VALUES (?, ?, ?) ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value',
    );
    this.rangeHead = db.prepare('SELECT ts, value FROM samples_head WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts').raw();
    this.rangeCold = db.prepare('SELECT ts, value FROM samples WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts').raw();
    this.latestHead = db.prepare('SELECT ts, value FROM samples_head WHERE series_id = ? ORDER BY ts DESC LIMIT 1').raw();
    this.latestCold = db.prepare('SELECT ts, value FROM samples WHERE series_id = ? ORDER BY ts DESC LIMIT 1').raw();
    this.firstHead = db.prepare('SELECT min(ts) FROM samples_head WHERE series_id = ?').pluck();
    this.firstCold = db.prepare('SELECT min(ts) FROM samples WHERE series_id = ?').pluck();
    this.headRows = db.prepare('SELECT count(*) FROM samples_head').pluck().get() as number;
  }

  /**
   * Writes samples; must run inside the caller's write transaction, which it
   * leaves to roll back on the first invalid sample. A sample at an existing
   * (series, ts) replaces the value. A sample older than the raw horizon goes
   * straight into its hourly rollup. Returns the number of samples accepted
   * (all of them, or it throws).
   */
  write(samples: readonly Sample[]): number {
    const { rawHorizon, headFrom } = this.bounds.refresh();
    const hours: number[] = [];
    let curHour = Number.NaN;
    let cur: Map<number, number> | undefined;
    let late: Map<number, Array<[number, number]>> | undefined;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const ts = s.ts;
      const value = s.value;
      if (!Number.isSafeInteger(ts)) {
        throw new InvalidSampleError(`sample ${i} (${String(s.name)}): ts must be an integer ms epoch, got ${String(ts)}`);
      }
      if (typeof value !== 'number') {
        throw new InvalidSampleError(`sample ${i} (${String(s.name)}): value must be a number, got ${typeof value}`);
      }
      let sid: number;
      try {
        sid = this.series.resolve(s.name, s.labels);
      } catch (err) {
        if (err instanceof InvalidSampleError) throw new InvalidSampleError(`sample ${i}: ${err.message}`);
        throw err;
      }
      if (ts < rawHorizon) {
        late ??= new Map();
        const list = late.get(sid);
        if (list) list.push([ts, value]);
        else late.set(sid, [[ts, value]]);
        continue;
      }
      if (ts >= headFrom) {
        this.upsertHead.run(ts, sid, value);
        this.headRows++;
      } else {
        this.upsertCold.run(sid, ts, value);
      }
      const hour = Math.floor(ts / HOUR_MS);
      if (hour !== curHour) {
        cur = this.rollups.hourMap(hour);
        curHour = hour;
        if (!hours.includes(hour)) hours.push(hour);
      }
      const prev = cur!.get(sid);
      if (prev === undefined || ts < prev) cur!.set(sid, ts);
    }
    if (late) for (const [sid, points] of late) this.rollups.mergeLate(sid, points);
    this.rollups.markHours(hours);
    return samples.length;
  }

  /** Raw rows of one series with from <= ts <= to, oldest first, NULL for NaN. */
  rows(seriesId: number, from: number, to: number): Array<[number, number | null]> {
    const split = this.bounds.headFrom;
    if (from >= split) return this.rangeHead.all(seriesId, from, to) as Array<[number, number | null]>;
    const cold = this.rangeCold.all(seriesId, from, Math.min(to, split - 1)) as Array<[number, number | null]>;
    if (to < split) return cold;
    for (const r of this.rangeHead.iterate(seriesId, split, to) as IterableIterator<[number, number | null]>) cold.push(r);
    return cold;
  }

  /** Raw samples of one series with from <= ts <= to, oldest first; NaN reads back as NaN. */
  rawPoints(seriesId: number, from: number, to: number): Array<[number, number]> {
    const rows = this.rows(seriesId, from, to);
    for (const r of rows) if (r[1] === null) r[1] = Number.NaN;
    return rows as Array<[number, number]>;
  }

  /** The ts of the oldest raw sample of a series (NaN ones included), or undefined. */
  firstTs(seriesId: number): number | undefined {
    const ts = (this.firstCold.get(seriesId) ?? this.firstHead.get(seriesId)) as number | null | undefined;
    return ts ?? undefined;
  }

  /** The newest raw sample of a series (NaN if it is a staleness marker), or undefined. */
  latestSample(seriesId: number): { ts: number; value: number } | undefined {
    const r = (this.latestHead.get(seriesId) ?? this.latestCold.get(seriesId)) as [number, number | null] | undefined;
    return r ? { ts: r[0], value: r[1] ?? Number.NaN } : undefined;
  }
}
