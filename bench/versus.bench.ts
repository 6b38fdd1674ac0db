/**
 * Side by side with Prometheus and VictoriaMetrics on the same data (issue 13; docs/benchmarks.md).
 * Opt-in: `npm run bench -- --vs-prometheus` or `npm run bench:versus` (several minutes; not part
 * of a plain `npm run bench`). Flags: --small (3 days instead of 30, a shorter scale run),
 * --reps N (default 30), --no-scale / --scale-only (the 5,000-series scale run,
 * bench/support/versus-scale.ts), --scale-hours N (its ingest span, default 2), --keep (keep the
 * temp directory). Needs `npm run build` first (it runs dist/server/cli.js) and the
 * Debian packages prometheus (with promtool) and victoria-metrics.
 *
 * 1. Writes the data (bench/support/versus-data.ts: 100 series × 30 days at 60 s = 4.32 M
 *    samples) as OpenMetrics with timestamps and as Prometheus text with ms timestamps.
 * 2. Loads it: promtool blocks + Prometheus (10 y retention, waits for its compaction);
 *    VictoriaMetrics (-search.disableCache) through /api/v1/import/prometheus, then a flush;
 *    Pillarboard through `pillarboard import FILE`, then `pillarboard serve`. All on free
 *    loopback ports with temp directories; every child is killed on exit, error or SIGINT.
 * 3. Checks all three answer the same numbers for every point of every query
 *    (bench/support/versus-queries.ts states the window conventions); exits 1 if not.
 * 4. Runs the four queries interleaved (rotating which system goes first), REPS times each after
 *    3 warm-up rounds, with `Accept-Encoding: gzip`; medians, p95s, response sizes (identity,
 *    gzip, br), bytes on disk per sample, RSS after the queries, import rates, all ratios.
 * 5. Each server's health endpoint every 10 ms while its heaviest query runs in a loop (p50/p99),
 *    and Pillarboard's event-loop lag p99 over that time (its /metrics).
 * Prints where the time went and a last line `BENCH_JSON {...}` for bench/run.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { lastTs, versusSeries, versusSpan, writeExposition } from './support/versus-data.js';
import { dbBytes } from './support/versus-disk.js';
import { agent, timedGet } from './support/versus-http.js';
import { loadPillarboard, loadPrometheus, loadVictoria, PB_WORKLOAD, pillarboardEnv, startPillarboard } from './support/versus-load.js';
import { compareAnswers, parseAnswer, SYSTEMS, versusQueries, type SystemName } from './support/versus-queries.js';
import { runScale } from './support/versus-scale.js';
import { cpuMs, removeOnExit, rssBytes, which, type Server } from './support/versus-servers.js';

const argv = process.argv.slice(2);
const flag = (f: string) => argv.includes(f);
const opt = (f: string, def: number) => {
  const i = argv.indexOf(f);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const SMALL = flag('--small');
const DAYS = SMALL ? 3 : 30;
const REPS = opt('--reps', 30);
const WARMUP = 3;
const HEALTH_S = SMALL ? 5 : 10;
const ROOT = path.resolve(__dirname, '..');

type Result = { metric: string; value: number; unit: string; target?: string; pass?: boolean };
const results: Result[] = [];
const phases: Array<[string, number]> = [];
const out = (s = '') => process.stdout.write(s + '\n');
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const mb = (b: number) => b / 1024 / 1024;
function pct(xs: number[], p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
/** "a is N× faster/smaller" wording for a ratio of two figures where lower is better. */
function versus(ours: number, theirs: number, better = 'faster', worse = 'slower'): string {
  if (ours <= theirs) return `${fmt(theirs / ours, 1)}× ${better}`;
  return `${fmt(ours / theirs, 1)}× ${worse}`;
}
async function phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  out(`-- ${name}`);
  if (!process.stdout.isTTY) process.stderr.write(`versus: ${name}\n`); // progress while bench/run.ts buffers stdout
  try {
    return await fn();
  } finally {
    phases.push([name, performance.now() - t]);
  }
}

async function main(): Promise<void> {
  for (const bin of ['victoria-metrics', 'prometheus', 'promtool']) {
    if (!which(bin)) throw new Error(`${bin} is not installed (Debian packages prometheus and victoria-metrics)`);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist/server/cli.js'))) throw new Error('dist/server/cli.js is missing: run `npm run build` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-versus-'));
  if (!flag('--keep')) removeOnExit(dir); // also on Ctrl-C, which exits without the finally below
  const servers: Server[] = [];
  try {
    if (!flag('--scale-only')) await sideBySide(dir, servers);
    for (const s of servers.splice(0)) await s.stop();
    if (!flag('--no-scale')) await phase('scale run (item 6)', () => runScale(path.join(dir, 'scale'), { small: SMALL, hours: opt('--scale-hours', 2), reps: REPS, root: ROOT, out, results, phase }));
  } finally {
    for (const s of servers) await s.stop();
    agent.destroy();
    if (!flag('--keep')) fs.rmSync(dir, { recursive: true, force: true });
    else out(`kept ${dir}`);
  }
  out('\nwhere the time went:');
  for (const [name, ms] of phases) out(`  ${name.padEnd(44)} ${fmt(ms / 1000, 1).padStart(7)} s`);
}

async function sideBySide(dir: string, servers: Server[]): Promise<void> {
  const series = versusSeries();
  const span = versusSpan(Date.now(), DAYS);
  const samples = series.length * span.count;
  out(`data: ${series.length} series × ${DAYS} days at 60 s = ${fmt(samples)} samples, ${new Date(span.start).toISOString()} … ${new Date(lastTs(span)).toISOString()}`);
  const omFile = path.join(dir, 'data.om.txt');
  const vmFile = path.join(dir, 'data.prom-ms.txt');
  await phase('write the data files', () => {
    const a = writeExposition(omFile, series, span, 'openmetrics');
    const b = writeExposition(vmFile, series, span, 'prometheus-ms');
    out(`  OpenMetrics ${fmt(mb(a))} MB, Prometheus text (ms) ${fmt(mb(b))} MB`);
  });

  // Prometheus first: its compaction cycle comes a minute after it starts; the other two load
  // meanwhile, one after the other (Prometheus sits idle until then).
  const db = path.join(dir, 'pillarboard.db');
  const workload = path.join(dir, 'workload.yaml');
  fs.writeFileSync(workload, PB_WORKLOAD);
  const pb = pillarboardEnv(ROOT, db, workload);
  let vm!: Awaited<ReturnType<typeof loadVictoria>>;
  let pbLoad!: ReturnType<typeof loadPillarboard>;
  const prom = await phase('promtool, then Prometheus until its compaction (the others load meanwhile)', () =>
    loadPrometheus(dir, omFile, samples, async () => {
      vm = await phase('VictoriaMetrics import', () => loadVictoria(dir, vmFile, samples));
      servers.push(vm.server);
      out(`  ${fmt(vm.loadMs / 1000, 1)} s (${vm.notes.join('; ')})`);
      pbLoad = await phase('Pillarboard load', () => loadPillarboard(pb, db, omFile, series, span));
      out(`  ${fmt(pbLoad.loadMs / 1000, 1)} s through ${pbLoad.via}`);
    }),
  );
  servers.push(prom.server);
  out(`  promtool ${fmt(prom.promtoolMs / 1000, 1)} s; ${prom.notes.join('; ')}; compaction cycle done ${fmt(prom.compactionWaitMs / 1000, 1)} s after start`);
  const pbDisk = dbBytes(db);
  out(`  database ${fmt(mb(pbDisk.file), 1)} MB after checkpoint: raw ${fmt(mb(pbDisk.raw), 1)} MB, rollups ${fmt(mb(pbDisk.rollups), 1)} MB, series ${fmt(mb(pbDisk.series), 2)} MB, other ${fmt(mb(pbDisk.other), 2)} MB`);
  fs.rmSync(vmFile);
  const pbServer = await phase('Pillarboard serve start', () => startPillarboard(pb));
  servers.push(pbServer);
  const base: Record<SystemName, string> = { pillarboard: pbServer.base, prometheus: prom.server.base, victoriametrics: vm.server.base };
  const pid: Record<SystemName, number> = { pillarboard: pbServer.child.pid!, prometheus: prom.server.child.pid!, victoriametrics: vm.server.child.pid! };

  const queries = versusQueries(span);
  await phase('same numbers from all three', async () => {
    const TOL: Record<SystemName, number> = { pillarboard: 0, prometheus: 1e-12, victoriametrics: 1e-9 };
    for (const q of queries) {
      const answers = {} as Record<SystemName, ReturnType<typeof parseAnswer>>;
      for (const s of SYSTEMS) {
        const r = await timedGet(base[s] + q.path[s]);
        const text = r.body().toString('utf8');
        if (r.status !== 200) throw new Error(`${s} answered ${q.title} with ${r.status}: ${text.slice(0, 400)}`);
        answers[s] = parseAnswer(s, q, text);
      }
      for (const s of ['prometheus', 'victoriametrics'] as const) {
        const c = compareAnswers(answers.pillarboard, answers[s], TOL[s]);
        if (c.points === 0) throw new Error(`${q.title}: no points to compare`);
        if (c.problems.length) throw new Error(`${q.title}: Pillarboard and ${s} disagree (relative tolerance ${TOL[s]}):\n  ${c.problems.join('\n  ')}`);
        out(`  ${q.title}: ${fmt(c.points)} points equal to ${s}'s (largest relative difference ${c.maxRelDiff.toExponential(1)})`);
      }
    }
  });

  const times = new Map<string, number[]>();
  const cpuBefore = Object.fromEntries(SYSTEMS.map((s) => [s, cpuMs(pid[s])])) as Record<SystemName, number>;
  await phase(`queries, ${REPS} interleaved repetitions (+${WARMUP} warm-up)`, async () => {
    for (let rep = 0; rep < WARMUP + REPS; rep++) {
      for (const q of queries) {
        for (let k = 0; k < SYSTEMS.length; k++) {
          const s = SYSTEMS[(rep + k) % SYSTEMS.length]!;
          const r = await timedGet(base[s] + q.path[s], 'gzip');
          if (r.status !== 200) throw new Error(`${s} answered ${q.title} with ${r.status}`);
          if (rep >= WARMUP) {
            const key = `${q.id}/${s}`;
            times.set(key, [...(times.get(key) ?? []), r.ms]);
          }
        }
      }
    }
  });
  const cpuUsed = Object.fromEntries(SYSTEMS.map((s) => [s, cpuMs(pid[s]) - cpuBefore[s]])) as Record<SystemName, number>;
  const rss = Object.fromEntries(SYSTEMS.map((s) => [s, rssBytes(pid[s])])) as Record<SystemName, number>;

  const sizes = new Map<string, { identity: number; gzip: number; br: number; gzipMs: number; brMs: number; identityMs: number }>();
  await phase('response sizes (identity, gzip, br)', async () => {
    for (const q of queries) {
      for (const s of SYSTEMS) {
        const id = await timedGet(base[s] + q.path[s], 'identity');
        const gz = await timedGet(base[s] + q.path[s], 'gzip');
        const br = await timedGet(base[s] + q.path[s], 'br');
        sizes.set(`${q.id}/${s}`, { identity: id.wireBytes, gzip: gz.wireBytes, br: br.wireBytes, identityMs: id.ms, gzipMs: gz.ms, brMs: br.ms });
      }
    }
  });

  const health = new Map<SystemName, { p50: number; p99: number; max: number; n: number; heavy: number; lagP99?: number }>();
  const heavy = queries[0]!;
  await phase(`health endpoints under the heaviest query, ${HEALTH_S} s each`, async () => {
    const healthPath: Record<SystemName, string> = { pillarboard: '/healthz', prometheus: '/-/healthy', victoriametrics: '/health' };
    for (const s of SYSTEMS) {
      const heavyAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const lagBefore = s === 'pillarboard' ? await lagP99(base[s]) : undefined; // reads reset prom-client's histogram
      void lagBefore;
      let stop = false;
      let heavyCount = 0;
      const loop = (async () => {
        while (!stop) {
          await timedGet(base[s] + heavy.path[s], 'gzip', heavyAgent);
          heavyCount++;
        }
      })();
      const lat: number[] = [];
      const until = performance.now() + HEALTH_S * 1000;
      await new Promise((r) => setTimeout(r, 200));
      while (performance.now() < until) {
        lat.push((await timedGet(base[s] + healthPath[s], 'identity', probeAgent)).ms);
        await new Promise((r) => setTimeout(r, 10));
      }
      stop = true;
      await loop;
      const lag = s === 'pillarboard' ? await lagP99(base[s]) : undefined;
      heavyAgent.destroy();
      probeAgent.destroy();
      health.set(s, { p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat), n: lat.length, heavy: heavyCount, lagP99: lag });
    }
  });

  // Pillarboard's bytes once more after serving (its WAL checkpointed on close).
  await pbServer.stop();
  const pbDiskAfter = dbBytes(db);

  // ---- report ----
  const bps = { pillarboard: pbDisk.file / samples, prometheus: prom.diskBytes / samples, victoriametrics: vm.diskBytes / samples };
  const importRate = { pillarboard: samples / (pbLoad.loadMs / 1000), prometheus: samples / (prom.promtoolMs / 1000), victoriametrics: samples / (vm.loadMs / 1000) };
  out('');
  out(`${'query (HTTP, gzip accepted)'.padEnd(34)} ${'Pillarboard p50/p95'.padStart(21)} ${'Prometheus p50/p95'.padStart(21)} ${'VictoriaM. p50/p95'.padStart(21)}   Pillarboard vs Prometheus / vs VictoriaMetrics (p50)`);
  for (const q of queries) {
    const f = (s: SystemName) => {
      const xs = times.get(`${q.id}/${s}`)!;
      return { p50: pct(xs, 50), p95: pct(xs, 95) };
    };
    const [a, b, c] = [f('pillarboard'), f('prometheus'), f('victoriametrics')];
    const cell = (x: { p50: number; p95: number }) => `${fmt(x.p50, 1)} / ${fmt(x.p95, 1)} ms`.padStart(21);
    out(`${q.title.padEnd(34)} ${cell(a)} ${cell(b)} ${cell(c)}   ${versus(a.p50, b.p50)} / ${versus(a.p50, c.p50)}`);
    for (const [s, x] of [['pillarboard', a], ['prometheus', b], ['victoriametrics', c]] as const) {
      results.push({ metric: `${q.id} p50 ${s}`, value: round(x.p50), unit: 'ms' });
      results.push({ metric: `${q.id} p95 ${s}`, value: round(x.p95), unit: 'ms' });
    }
    const fastest = Math.min(b.p50, c.p50);
    if (q.id === 'hourly_all_100') results.push({ metric: `${q.id} speed-up vs prometheus p50`, value: round(b.p50 / a.p50), unit: '×', target: '>= 10', pass: b.p50 / a.p50 >= 10 });
    results.push({ metric: `${q.id} speed-up vs faster other p50`, value: round(fastest / a.p50), unit: '×', target: '>= 1', pass: fastest / a.p50 >= 1 });
  }
  out('');
  out('response sizes (bytes on the wire: identity / gzip / br; time with each, ms):');
  for (const q of queries) {
    for (const s of SYSTEMS) {
      const z = sizes.get(`${q.id}/${s}`)!;
      out(`  ${q.title.padEnd(34)} ${s.padEnd(16)} ${fmt(z.identity).padStart(11)} / ${fmt(z.gzip).padStart(10)} / ${fmt(z.br).padStart(10)}   ${fmt(z.identityMs, 1)} / ${fmt(z.gzipMs, 1)} / ${fmt(z.brMs, 1)} ms`);
    }
    const p = sizes.get(`${q.id}/pillarboard`)!;
    const pr = sizes.get(`${q.id}/prometheus`)!;
    results.push({ metric: `${q.id} response gzip pillarboard`, value: p.gzip, unit: 'bytes' });
    results.push({ metric: `${q.id} response gzip prometheus`, value: pr.gzip, unit: 'bytes' });
  }
  out('');
  out(`bytes on disk per sample: Pillarboard ${fmt(bps.pillarboard, 2)} (database after WAL checkpoint; ${fmt(pbDiskAfter.file / samples, 2)} after serving), Prometheus ${fmt(bps.prometheus, 2)} (blocks after compaction), VictoriaMetrics ${fmt(bps.victoriametrics, 2)} (after a flush, its parts on disk)`);
  out(`  Pillarboard vs Prometheus: ${versus(bps.pillarboard, bps.prometheus, 'smaller', 'larger')}; vs VictoriaMetrics: ${versus(bps.pillarboard, bps.victoriametrics, 'smaller', 'larger')}`);
  out(`  Pillarboard: raw ${fmt(pbDisk.raw / samples, 2)} B/sample, rollups ${fmt(mb(pbDisk.rollups), 2)} MB, series ${fmt(mb(pbDisk.series), 2)} MB, other ${fmt(mb(pbDisk.other), 2)} MB; tables ${Object.entries(pbDisk.tables).filter(([, b]) => b > 64 * 1024).map(([t, b]) => `${t} ${fmt(mb(b), 1)} MB`).join(', ')}`);
  const smaller = Math.min(bps.prometheus, bps.victoriametrics);
  results.push({ metric: 'bytes/sample pillarboard', value: round(bps.pillarboard), unit: 'B', target: `<= ${round(smaller)}`, pass: bps.pillarboard <= smaller });
  results.push({ metric: 'bytes/sample prometheus', value: round(bps.prometheus), unit: 'B' });
  results.push({ metric: 'bytes/sample victoriametrics', value: round(bps.victoriametrics), unit: 'B' });
  out(`RSS after the queries: Pillarboard ${fmt(mb(rss.pillarboard))} MB, Prometheus ${fmt(mb(rss.prometheus))} MB, VictoriaMetrics ${fmt(mb(rss.victoriametrics))} MB; Pillarboard vs Prometheus ${versus(rss.pillarboard, rss.prometheus, 'smaller', 'larger')}, vs VictoriaMetrics ${versus(rss.pillarboard, rss.victoriametrics, 'smaller', 'larger')}`);
  results.push({ metric: 'RSS after queries pillarboard', value: round(mb(rss.pillarboard)), unit: 'MB', target: `<= ${round(mb(rss.prometheus))}`, pass: rss.pillarboard <= rss.prometheus });
  results.push({ metric: 'RSS after queries prometheus', value: round(mb(rss.prometheus)), unit: 'MB' });
  results.push({ metric: 'RSS after queries victoriametrics', value: round(mb(rss.victoriametrics)), unit: 'MB' });
  out(`server CPU over the timed queries: Pillarboard ${fmt(cpuUsed.pillarboard / 1000, 1)} s, Prometheus ${fmt(cpuUsed.prometheus / 1000, 1)} s, VictoriaMetrics ${fmt(cpuUsed.victoriametrics / 1000, 1)} s`);
  out(`load: Pillarboard ${fmt(importRate.pillarboard)} samples/s (${pbLoad.via}), promtool ${fmt(importRate.prometheus)} samples/s (plus compaction in Prometheus), VictoriaMetrics ${fmt(importRate.victoriametrics)} samples/s; Pillarboard vs VictoriaMetrics ${fmt(importRate.pillarboard / importRate.victoriametrics, 2)}×`);
  results.push({ metric: 'import pillarboard', value: Math.round(importRate.pillarboard), unit: 'samples/s', target: '>= 1000000', pass: importRate.pillarboard >= 1e6 });
  results.push({ metric: 'import promtool', value: Math.round(importRate.prometheus), unit: 'samples/s' });
  results.push({ metric: 'import victoriametrics', value: Math.round(importRate.victoriametrics), unit: 'samples/s' });
  out(`health endpoint every 10 ms while "${heavy.title}" runs in a loop (${HEALTH_S} s):`);
  for (const s of SYSTEMS) {
    const h = health.get(s)!;
    out(`  ${s.padEnd(16)} p50 ${fmt(h.p50, 1)} ms, p99 ${fmt(h.p99, 1)} ms, max ${fmt(h.max, 1)} ms (${h.n} probes, ${h.heavy} heavy queries)${h.lagP99 !== undefined ? `; event-loop lag p99 ${fmt(h.lagP99, 1)} ms` : ''}`);
  }
  const ph = health.get('pillarboard')!;
  results.push({ metric: '/healthz p99 under heavy query loop', value: round(ph.p99), unit: 'ms', target: '<= 10', pass: ph.p99 <= 10 });
  if (ph.lagP99 !== undefined) results.push({ metric: 'event-loop lag p99 under heavy loop', value: round(ph.lagP99), unit: 'ms' });
}

/** Pillarboard's event-loop lag p99 (ms) from prom-client's default metrics; reading resets it. */
async function lagP99(base: string): Promise<number | undefined> {
  const r = await timedGet(`${base}/metrics`, 'identity');
  const m = /^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(r.body().toString('utf8'));
  return m ? Number(m[1]) * 1000 : undefined;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().then(
  () => {
    process.stdout.write(`BENCH_JSON ${JSON.stringify({ name: 'versus', results, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  },
  (err: unknown) => {
    process.stderr.write(`versus benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
