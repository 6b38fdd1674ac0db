/**
 * Weekly report benchmark: 50 outcomes and 500 indicators (50 of them SLOs) over a week of
 * 60 s evaluation history, in Europe/Berlin.
 * `node --import tsx bench/reports.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 *
 * Data: the history series an evaluation writes — 500 indicator scores, 50 SLO budgets, 50
 * outcome scores, 6 pillar scores — at 60 s for the report week (2026-W47, 10,080 samples per
 * series) and 5 min for the week before (what "change against last week" reads): 7.3 M
 * samples, bulk-loaded below the head like the other benches, then rolled up by the store.
 * Also 10 collectors with a run a minute (100,800 runs) and 2,000 status transitions, and 200
 * events through an in-memory EventReader.
 *
 * Measured, median of 5 after one warm-up:
 * - build: readReportInput (rollups, transitions, runs, events) + buildWeeklyReport — target ≤ 1 s;
 * - html: renderHtml of that report — target ≤ 200 ms;
 * - pdf: Chromium launched, page printed (A4), closed — target ≤ 5 s (once per run; skipped without Chromium).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventKind } from '../collectors/types.js';
import type { StoredEvent } from '../server/events/types.js';
import type { IndicatorSpec, OutcomeSpec } from '../server/evaluation/spec.js';
import { buildWeeklyReport } from '../server/reports/build.js';
import { DEFAULT_WEEKLY } from '../server/reports/index.js';
import { readReportInput, storeReportSources } from '../server/reports/read.js';
import { renderHtml } from '../server/reports/render-html.js';
import { renderMarkdown } from '../server/reports/render-markdown.js';
import { chromiumPdfRenderer, findChromium } from '../server/reports/render-pdf.js';
import type { ReportWorkloadContext } from '../server/reports/service.js';
import { parseWeek, previousWeek, weekRange } from '../server/reports/week.js';
import { PILLARS } from '../server/scoring/types.js';
import { openStore } from '../server/store/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TZ = 'Europe/Berlin';
const week = weekRange(parseWeek('2026-W47'), TZ);
const prev = weekRange(previousWeek(week), TZ);
const NOW = week.to + 8 * HOUR;
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ---- the workload ----
const indicators: IndicatorSpec[] = Array.from({ length: 500 }, (_, i): IndicatorSpec => {
  const base = { id: `i${i}`, title: `Indicator ${i}`, pillar: PILLARS[i % 6]!, unit: 'ratio', weight: 1 };
  return i % 10 === 0
    ? { ...base, kind: 'slo', slo: { events: { kind: 'probes', success: { text: 'x', selector: { name: 'x', matchers: [] } } }, objective: 0.999, windowMs: 28 * 24 * HOUR, budgetWarningBelow: 0.25 } }
    : { ...base, kind: 'threshold', source: { kind: 'aggregate', series: { text: 'x', selector: { name: 'x', matchers: [] } }, aggregation: 'avg', windowMs: HOUR, combine: 'avg' }, objective: { target: 1, direction: 'max' } };
});
const outcomes: OutcomeSpec[] = Array.from({ length: 50 }, (_, o) => ({
  id: `o${o}`,
  title: `Outcome ${o}: customers can do thing ${o}`,
  owner: `team-${o % 7}`,
  indicators: Array.from({ length: 10 }, (_, k) => ({ ref: `i${o * 10 + k}`, weight: 1 + (k % 3), key: k === 0 })),
}));
const collectors = Array.from({ length: 10 }, (_, c) => ({ id: `c${c}`, type: 'scrape', intervalMs: MINUTE }));
const ctx: ReportWorkloadContext = {
  meta: { id: 'bench', title: 'Bench workload' },
  timezone: TZ,
  indicators,
  outcomes,
  collectors,
  staleAfterFailures: 3,
  settings: DEFAULT_WEEKLY,
};

type Def = { name: string; labels: Record<string, string>; value: (ts: number) => number };
const defs: Def[] = [
  ...indicators.map((i, n) => ({ name: 'pillarboard_indicator_score', labels: { indicator: i.id }, value: (ts: number) => 60 + ((ts / MINUTE + n * 7) % 41) })),
  ...indicators.filter((i) => i.kind === 'slo').map((i) => ({ name: 'pillarboard_slo_budget_remaining', labels: { indicator: i.id }, value: (ts: number) => 1 - (ts - prev.from) / (14 * 24 * HOUR) })),
  ...outcomes.map((o, n) => ({ name: 'pillarboard_outcome_score', labels: { outcome: o.id }, value: (ts: number) => 70 + ((ts / MINUTE + n) % 31) })),
  ...PILLARS.map((p, n) => ({ name: 'pillarboard_pillar_score', labels: { pillar: p }, value: (ts: number) => 75 + ((ts / HOUR + n) % 21) })),
];

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-reports-'));
  const file = path.join(dir, 'reports.db');
  try {
    // ---- load ----
    let t = performance.now();
    const s0 = openStore({ path: file, now: () => NOW });
    s0.writeSamples(defs.map((d) => ({ name: d.name, labels: d.labels, ts: prev.from, value: d.value(prev.from) })));
    s0.close();
    const store = openStore({ path: file, now: () => NOW });
    const db = store.db;
    const ids = new Map((db.prepare('SELECT id, name, labels FROM series').raw().all() as Array<[number, string, string]>).map(([id, name, labels]) => [`${name}${labels}`, id]));
    const ins = db.prepare('INSERT OR REPLACE INTO samples (series_id, ts, value) VALUES (?, ?, ?)');
    let samples = 0;
    const load = db.transaction((sid: number, d: Def) => {
      for (let ts = prev.from; ts < week.from; ts += 5 * MINUTE, samples++) ins.run(sid, ts, d.value(ts));
      for (let ts = week.from; ts < week.to; ts += MINUTE, samples++) ins.run(sid, ts, d.value(ts));
    });
    for (const d of defs) load(ids.get(`${d.name}${JSON.stringify(d.labels)}`)!, d);
    const mark = db.prepare('INSERT OR IGNORE INTO rollup_dirty (hour) VALUES (?)');
    db.transaction(() => {
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('head_from', ?)").run(String(week.to + 1));
      db.prepare('DELETE FROM samples_head').run();
      for (let h = prev.from / HOUR; h < week.to / HOUR; h++) mark.run(h);
    })();
    // Collector runs and transitions, written as their own modules would.
    const run = db.prepare('INSERT INTO collector_runs (collector_id, started_at, duration_ms, ok, error, samples_written) VALUES (?, ?, 5, ?, ?, 10)');
    db.transaction(() => {
      for (const c of collectors) for (let ts = week.from; ts < week.to; ts += MINUTE) {
        const fail = c.id === 'c3' && ts % (6 * HOUR) < 10 * MINUTE;
        run.run(c.id, ts + 7_000, fail ? 0 : 1, fail ? 'timeout' : null);
      }
    })();
    const tr = db.prepare("INSERT INTO indicator_transitions (indicator_id, at, from_status, to_status, value, score, reason) VALUES (?, ?, ?, ?, NULL, NULL, 'bench')");
    db.transaction(() => {
      for (let k = 0; k < 2000; k++) {
        const at = prev.from + Math.floor((k / 2000) * (week.to - prev.from));
        tr.run(`i${(k * 37) % 500}`, at, k % 2 ? 'warning' : 'ok', k % 2 ? 'ok' : 'warning');
      }
    })();
    const loadMs = performance.now() - t;
    t = performance.now();
    store.updateRollups();
    const rollupMs = performance.now() - t;
    console.log(`reports.data  ${samples.toLocaleString('en-US')} samples in ${defs.length} series, 100,800 runs, 2,000 transitions: load ${(loadMs / 1000).toFixed(1)} s, rollups ${(rollupMs / 1000).toFixed(1)} s`);

    const kinds: EventKind[] = ['deployment', 'incident', 'gameday', 'review', 'action_item', 'change'];
    const events: StoredEvent[] = Array.from({ length: 200 }, (_, k) => {
      const startedAt = week.from + k * 50 * MINUTE;
      return { id: k, kind: kinds[k % 6]!, source: 'bench', externalId: `e${k}`, service: `svc${k % 5}`, startedAt, receivedAt: startedAt, updatedAt: startedAt, ...(k % 6 === 1 ? { endedAt: startedAt + 45 * MINUTE, attrs: { deployment: `e${k - 1}` } } : {}) };
    });
    const reader = {
      listEvents: (f: { kind?: EventKind | EventKind[]; from?: number; to?: number; limit?: number }) =>
        events.filter((e) => (!f.kind || (Array.isArray(f.kind) ? f.kind : [f.kind]).includes(e.kind)) && (f.from === undefined || e.startedAt >= f.from) && (f.to === undefined || e.startedAt <= f.to)).slice(0, f.limit),
      getEvent: () => undefined,
      services: () => [],
    };
    const sources = storeReportSources(store, () => reader);

    // ---- build ----
    const read: number[] = [];
    const build: number[] = [];
    const total: number[] = [];
    let report = buildWeeklyReport(readReportInput(sources, ctx, week, prev, NOW)); // warm-up
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      const input = readReportInput(sources, ctx, week, prev, NOW);
      const t1 = performance.now();
      report = buildWeeklyReport(input);
      const t2 = performance.now();
      read.push(t1 - t0);
      build.push(t2 - t1);
      total.push(t2 - t0);
    }
    const b = median(total);
    console.log(`reports.build  read ${median(read).toFixed(1)} ms + build ${median(build).toFixed(1)} ms = ${b.toFixed(1)} ms  target <= 1000 ms  ${b <= 1000 ? 'PASS' : 'MISS'}`);
    results.push(
      { metric: 'build', value: Number(b.toFixed(1)), unit: 'ms', target: '<= 1000 ms', pass: b <= 1000 },
      { metric: 'build: read inputs (I/O)', value: Number(median(read).toFixed(1)), unit: 'ms' },
      { metric: 'build: pure builder', value: Number(median(build).toFixed(1)), unit: 'ms' },
    );
    if (report.outcomes.length !== 50 || report.dataQuality.hoursWithData !== 168) throw new Error('the bench report is not what was loaded');

    // ---- render ----
    const html: number[] = [];
    let page = '';
    renderHtml(report);
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      page = renderHtml(report);
      html.push(performance.now() - t0);
    }
    const h = median(html);
    const mdStart = performance.now();
    renderMarkdown(report);
    const mdMs = performance.now() - mdStart;
    console.log(`reports.html  ${h.toFixed(1)} ms (${Math.round(page.length / 1024)} KiB)  target <= 200 ms  ${h <= 200 ? 'PASS' : 'MISS'}; markdown ${mdMs.toFixed(1)} ms`);
    results.push({ metric: 'html', value: Number(h.toFixed(1)), unit: 'ms', target: '<= 200 ms', pass: h <= 200 }, { metric: 'markdown', value: Number(mdMs.toFixed(1)), unit: 'ms' });

    const chromium = findChromium();
    if ('path' in chromium) {
      const t0 = performance.now();
      const pdf = await chromiumPdfRenderer({ executablePath: chromium.path }).render(page, 'A4');
      const p = performance.now() - t0;
      console.log(`reports.pdf  ${(p / 1000).toFixed(2)} s (${Math.round(pdf.length / 1024)} KiB, Chromium start to close)  target <= 5 s  ${p <= 5000 ? 'PASS' : 'MISS'}`);
      results.push({ metric: 'pdf', value: Number(p.toFixed(0)), unit: 'ms', target: '<= 5000 ms', pass: p <= 5000 });
    } else {
      console.log(`reports.pdf  skipped: ${chromium.missing}`);
    }
    results.push({ metric: 'bench data load', value: Number((loadMs / 1000).toFixed(1)), unit: 's' }, { metric: 'bench data rollups', value: Number((rollupMs / 1000).toFixed(1)), unit: 's' });
    store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(() => {
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`reports.peak_rss  ${peakRssMb} MB`);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'reports', results, peakRssMb })}`);
});
