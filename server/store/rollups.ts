import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { StoreBounds } from './meta.js';
import * as codec from './rollupCodec.js';
import { addDirtyHour, decodeDay, emptyDay, encodeDay, foldSample, isEmptyDay, planDay, pushHours, type DirtyWork, type HourAggregate } from './rollupCodec.js';

const { DAY_MS, F_COUNT, FIELDS, HOUR_MS, SLOTS } = codec;

/**
 * Hourly rollups, packed one row per series-day, kept up to date incrementally.
 *
 * Ingest does not touch rollup_1h. Each write transaction records, in memory,
 * the smallest timestamp written per (series, hour) since the last update, and
 * persists one rollup_dirty row per distinct hour of the batch (usually one).
 * update() then, per dirty series-hour:
 *  - if every new sample is newer than the hour's lastTs, folds in only the raw
 *    rows after lastTs (the common case: reads just what arrived);
 *  - otherwise (a late or replaced sample) recomputes the hour from raw.
 * Raw is complete for every hour at or above the raw horizon (retention deletes
 * whole hours below it), so a recompute never loses data. Hours below the horizon
 * have no raw left: late samples for them are folded straight into the rollup
 * by mergeLate() inside the write transaction.
 *
 * Crash safety: markers commit with the samples. Hours marked when the store was
 * opened were dirtied by an earlier process whose memory is gone: update()
 * recomputes every series for them. The same applies to hours another process
 * marked; the store assumes one writing process (DESIGN.md), so that is only a
 * safety net.
 */
/**
 * Series per step of a rollup update that shares its thread (Store.updateRollupsSlice): one
 * series-day costs ~30 µs to re-fold and write, so a step stays near 10 ms (docs/store.md).
 */
export const ROLLUP_SLICE_SERIES = 256;

/** An update planned by updateSlice(): series and their dirty days, how far it got, the markers it clears. */
interface PendingUpdate {
  work: Array<[seriesId: number, days: Map<number, Array<[hourOfDay: number, minTs: number]>>]>;
  next: number;
  marked: number[];
  seriesDays: number;
}

export class RollupStore {
  private readonly readScratch = new Float64Array(SLOTS);
  /** hour -> series id -> smallest ts written since the last update */
  private dirty = new Map<number, Map<number, number>>();
  /** hours whose rollup_dirty row this process committed and update() has not cleared */
  private persisted = new Set<number>();
  private txMarks: number[] = [];
  /** hours marked by an earlier process, found at open */
  private recover: Set<number>;
  /** The update in progress (updateSlice), or null. */
  private pending: PendingUpdate | null = null;
  private readonly readDay: Database.Statement;
  private readonly readDays: Database.Statement;
  private readonly writeDay: Database.Statement;
  private readonly mark: Database.Statement;
  private readonly marked: Database.Statement;
  private readonly unmark: Database.Statement;
  private readonly seriesIds: Database.Statement;
  private readonly firstDay: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly bounds: StoreBounds,
    /** Raw samples of a series with from <= ts <= to, oldest first (NaN kept), wherever they live. */
    private readonly readRows: (seriesId: number, from: number, to: number) => Array<[number, number]>,
  ) {
    this.readDay = db.prepare('SELECT data FROM rollup_1h WHERE series_id = ? AND day = ?').pluck();
    this.readDays = db.prepare('SELECT day, data FROM rollup_1h WHERE series_id = ? AND day >= ? AND day <= ? ORDER BY day').raw();
    this.writeDay = db.prepare(
      'INSERT INTO rollup_1h (series_id, day, data) VALUES (?, ?, ?) ON CONFLICT (series_id, day) DO UPDATE SET data = excluded.data',
    );
    this.mark = db.prepare('INSERT OR IGNORE INTO rollup_dirty (hour) VALUES (?)');
    this.marked = db.prepare('SELECT hour FROM rollup_dirty').pluck();
    this.unmark = db.prepare('DELETE FROM rollup_dirty WHERE hour = ?');
    this.seriesIds = db.prepare('SELECT id FROM series').pluck();
    this.firstDay = db.prepare('SELECT day, data FROM rollup_1h WHERE series_id = ? ORDER BY day LIMIT 1').raw();
    this.recover = new Set(this.marked.all() as number[]);
  }

  /** The in-memory dirty map of one hour; the ingest loop adds (series, minTs) to it. */
  hourMap(hour: number): Map<number, number> {
    let m = this.dirty.get(hour);
    if (!m) this.dirty.set(hour, (m = new Map()));
    return m;
  }

  /**
   * Persists dirty markers; call inside the write transaction of the samples. An hour this
   * process already marked (committed, not yet cleared by update()) is not written again,
   * so a run costs no marker write after the first of its hour.
   */
  markHours(hours: Iterable<number>): void {
    for (const h of hours) {
      if (this.persisted.has(h)) continue;
      this.mark.run(h);
      this.txMarks.push(h);
    }
  }

  /** The write transaction ended: its markers are stored (committed) or gone (rolled back). */
  endTransaction(committed: boolean): void {
    if (committed) for (const h of this.txMarks) this.persisted.add(h);
    this.txMarks = [];
  }

  /**
   * Folds samples older than the raw horizon straight into their rollups (inside the write
   * transaction). Each series-day is read and written once per run of consecutive samples in
   * it, so a bulk import of old data (a backfill) costs one row update per day, not per sample.
   */
  mergeLate(seriesId: number, points: ReadonlyArray<readonly [ts: number, value: number]>): void {
    let day = Number.NaN;
    let d: Float64Array | undefined;
    const flush = () => {
      if (d) this.writeDay.run(seriesId, day, encodeDay(d));
    };
    for (const [ts, value] of points) {
      const pDay = Math.floor(ts / DAY_MS);
      if (pDay !== day) {
        flush();
        day = pDay;
        const blob = this.readDay.get(seriesId, day) as Buffer | undefined;
        d = blob ? decodeDay(blob, day) : emptyDay();
      }
      foldSample(d!, Math.floor((ts - day * DAY_MS) / HOUR_MS) * FIELDS, ts, value);
    }
    flush();
  }

  /** Start of the oldest non-empty hour of a series, or undefined. */
  firstHour(seriesId: number): number | undefined {
    const row = this.firstDay.get(seriesId) as [number, Buffer] | undefined;
    if (!row) return undefined;
    const [day, blob] = row;
    const d = decodeDay(blob, day);
    for (let h = 0; h < 24; h++) if (d[h * FIELDS + F_COUNT] !== 0) return (day * 24 + h) * HOUR_MS;
    return undefined;
  }

  /** True when no series-hour awaits update() in this process or from an earlier one. */
  get clean(): boolean {
    return this.dirty.size === 0 && this.recover.size === 0 && this.pending === null;
  }

  /** Brings rollups up to date with raw; returns how many series-days were rewritten. */
  update(): { seriesDays: number } {
    const r = this.updateSlice(Number.POSITIVE_INFINITY);
    return { seriesDays: r.seriesDays };
  }

  /**
   * update() in slices, so the thread that writes (the HTTP thread of `serve`) never stops for
   * a whole catch-up: the first call takes a snapshot of what is dirty, each call rewrites the
   * rollups of at most `maxSeries` of its series in one transaction, and the call that ends it
   * clears the markers. Writes between slices are tracked as new dirt (for the next update) and
   * re-mark their hours, and a marker one of them re-marked stays; a slice reads each day's row
   * when it writes it, so nothing written meanwhile is lost. A crash between slices leaves the
   * markers, so the next process recomputes those hours. `done` is true when nothing is left;
   * `seriesDays` counts the rows rewritten by the whole update so far.
   */
  updateSlice(maxSeries: number): { done: boolean; seriesDays: number } {
    if (!(maxSeries >= 1)) throw new RangeError(`maxSeries must be at least 1, got ${maxSeries}`);
    const p = this.pending ?? this.plan();
    if (!p) return { done: true, seriesDays: 0 };
    if (p.next < p.work.length) {
      const end = Math.min(p.work.length, p.next + maxSeries);
      let seriesDays = 0;
      this.db
        .transaction(() => {
          for (let i = p.next; i < end; i++) {
            const [sid, days] = p.work[i]!;
            for (const [day, hours] of days) if (this.updateDay(sid, day, hours)) seriesDays++;
          }
          if (end === p.work.length) this.finish(p);
        })
        .immediate();
      p.next = end; // only once committed: a failed slice is tried again by the next call
      p.seriesDays += seriesDays;
    } else {
      this.db.transaction(() => this.finish(p)).immediate();
    }
    if (p.next < p.work.length) return { done: false, seriesDays: p.seriesDays };
    this.pending = null;
    return { done: true, seriesDays: p.seriesDays };
  }

  /** What an update has to do: every dirty series-day, with the hours to fold in. */
  private plan(): PendingUpdate | null {
    const marked = this.marked.all() as number[];
    if (marked.length === 0 && this.dirty.size === 0) return null;
    const horizonHour = Math.ceil(this.bounds.refresh().rawHorizon / HOUR_MS);
    const work: DirtyWork = new Map();
    const add = (sid: number, hour: number, minTs: number) => {
      if (hour >= horizonHour) addDirtyHour(work, sid, hour, minTs);
    };
    const full = marked.filter((h) => this.recover.has(h) || !this.dirty.has(h));
    if (full.length > 0) {
      const ids = this.seriesIds.all() as number[];
      for (const h of full) for (const sid of ids) add(sid, h, Number.NEGATIVE_INFINITY);
    }
    const fullSet = new Set(full);
    for (const [h, m] of this.dirty) {
      if (!fullSet.has(h)) for (const [sid, minTs] of m) add(sid, h, minTs);
    }
    // From here on, writes are new dirt: they mark their hours again (see updateSlice).
    this.dirty = new Map();
    this.recover = new Set();
    this.persisted = new Set();
    this.pending = { work: [...work], next: 0, marked, seriesDays: 0 };
    return this.pending;
  }

  /** The update's last step, inside its last transaction: clears the markers it took, except those a write re-marked meanwhile. */
  private finish(p: PendingUpdate): void {
    for (const h of p.marked) if (!this.persisted.has(h)) this.unmark.run(h);
  }

  /**
   * Recomputes or extends the given hours of one series-day; false when nothing was written.
   * Raw is read once for the day, from the earliest sample any of the hours needs.
   */
  private updateDay(sid: number, day: number, hours: Array<[number, number]>): boolean {
    if (hours.length === 0) return false;
    const blob = this.readDay.get(sid, day) as Buffer | undefined;
    const d = blob ? decodeDay(blob, day) : emptyDay();
    const { fromTs, readFrom, readTo } = planDay(d, day, hours);
    const dayStart = day * DAY_MS;
    for (const [ts, v] of this.readRows(sid, readFrom, readTo)) {
      const h = Math.floor((ts - dayStart) / HOUR_MS);
      if (ts >= fromTs[h]! && v === v) foldSample(d, h * FIELDS, ts, v);
    }
    if (!blob && isEmptyDay(d)) return false;
    this.writeDay.run(sid, day, encodeDay(d));
    return true;
  }

  /**
   * Calls `fn` with each stored day of one series in [fromDay, toDay], oldest first, decoded
   * for reading only: `data` is reused for the next day, so use it before returning.
   */
  eachDay(seriesId: number, fromDay: number, toDay: number, fn: (day: number, data: Float64Array) => void): void {
    for (const [day, blob] of this.readDays.iterate(seriesId, fromDay, toDay) as IterableIterator<[number, Buffer]>) {
      fn(day, decodeDay(blob, day, this.readScratch));
    }
  }

  /** Non-empty hours of one series whose start lies in [from, to]. */
  hours(seriesId: number, from: number, to: number): HourAggregate[] {
    const out: HourAggregate[] = [];
    this.eachDay(seriesId, Math.floor(from / DAY_MS), Math.floor(to / DAY_MS), (day, d) => pushHours(out, day, d, from, to));
    return out;
  }

  /** Series removed by retention: nothing of theirs is pending any more. */
  forget(ids: Iterable<number>): void {
    const gone = new Set(ids);
    for (const m of this.dirty.values()) for (const id of gone) m.delete(id);
    const p = this.pending;
    if (p) p.work = p.work.filter(([sid], i) => i < p.next || !gone.has(sid));
  }
}
