/**
 * Loading the benchmark's data into each system, the way a user would: VictoriaMetrics through
 * its import API, Prometheus through promtool's blocks, Pillarboard through `pillarboard import`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { SeriesDef } from './dataset.js';
import { openStore } from '../../server/store/index.js';
import type { Span } from './versus-data.js';
import { getText, postEmpty, postFile } from './versus-http.js';
import { dirBytes, freePort, run, startServer, type Server } from './versus-servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Loaded {
  server: Server;
  /** Wall time of the load (import API answer, promtool run, import command). */
  loadMs: number;
  /** Bytes on disk the figures compare. */
  diskBytes: number;
  notes: string[];
}

/** VictoriaMetrics: import, flush, measure the data directory (its `cache` excluded). */
export async function loadVictoria(dir: string, vmFile: string, samples: number): Promise<Loaded> {
  const port = await freePort();
  const data = path.join(dir, 'vm-data');
  const server = await startServer('victoria-metrics', 'victoria-metrics', [
    `-storageDataPath=${data}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=10y', '-search.disableCache', '-loggerLevel=ERROR',
  ], port, '/health');
  const t = performance.now();
  const r = await postFile(`${server.base}/api/v1/import/prometheus`, vmFile);
  const loadMs = performance.now() - t;
  if (r.status !== 204 && r.status !== 200) throw new Error(`victoria-metrics import answered ${r.status}: ${r.text.slice(0, 500)}`);
  const flush = await postEmpty(`${server.base}/internal/force_flush`).catch(() => 0);
  await sleep(flush === 200 ? 1_000 : 6_000); // without force_flush: past -inmemoryDataFlushInterval (5 s)
  // The import is asynchronous inside VictoriaMetrics: wait until every sample is searchable.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = await getText(`${server.base}/api/v1/query?query=${encodeURIComponent('sum(count_over_time({bench="versus"}[40d]))')}`);
    const got = Number((JSON.parse(m.text) as { data: { result: Array<{ value: [number, string] }> } }).data.result[0]?.value[1] ?? 0);
    if (got === samples) break;
    if (Date.now() > deadline) throw new Error(`victoria-metrics holds ${got} samples after the import, expected ${samples}`);
    await sleep(1_000);
  }
  // 1.79 keeps fresh parts in memory for a while, even after force_flush (its /metrics counts
  // them in vm_data_size_bytes): wait until the files on disk hold at least 90 % of what it
  // reports and the directory has not changed for 3 s (at most 90 s), then measure the files.
  await postEmpty(`${server.base}/internal/force_flush`).catch(() => 0);
  const reported = async () => {
    const text = (await getText(`${server.base}/metrics`)).text;
    let n = 0;
    for (const m of text.matchAll(/^vm_data_size_bytes\{type="storage\/(?:small|big)"\} ([0-9.e+]+)$/gm)) n += Number(m[1]);
    return n;
  };
  const settle = Date.now() + 90_000;
  let diskBytes = -1;
  let since = Date.now();
  for (;;) {
    const now = dirBytes(data, ['cache', 'flock.lock']);
    if (now !== diskBytes) {
      diskBytes = now;
      since = Date.now();
    }
    const onDisk = dirBytes(path.join(data, 'data'));
    if (onDisk >= 0.9 * (await reported()) && Date.now() - since >= 3_000) break;
    if (Date.now() > settle) throw new Error(`victoria-metrics has not written its data to disk within 90 s (${onDisk} bytes on disk, ${await reported()} reported)`);
    await sleep(500);
  }
  return { server, loadMs, diskBytes, notes: [`after /internal/force_flush${flush === 200 ? '' : ' (not answered)'}, once its parts are on disk`] };
}

const PROM_BLOCK = '486h';

interface PromBlockMeta {
  minTime: number;
  maxTime: number;
  stats?: { numSamples?: number };
}

function promBlocks(data: string): PromBlockMeta[] {
  return fs
    .readdirSync(data)
    .filter((d) => fs.existsSync(path.join(data, d, 'meta.json')))
    .map((d) => JSON.parse(fs.readFileSync(path.join(data, d, 'meta.json'), 'utf8')) as PromBlockMeta);
}

/**
 * Prometheus: promtool writes the blocks (see PROM_BLOCK), Prometheus (10 y retention) starts on
 * them and runs its first compaction cycle a minute later; this waits for that cycle to finish
 * (block count steady, nothing being written) so the bytes are those after its compaction.
 * `whileWaiting` runs meanwhile (Prometheus is idle until then).
 */
export async function loadPrometheus(dir: string, omFile: string, samples: number, whileWaiting: () => Promise<void>): Promise<Loaded & { promtoolMs: number; compactionWaitMs: number; blocksBefore: number; blocksAfter: number }> {
  const data = path.join(dir, 'prom-data');
  fs.mkdirSync(data, { recursive: true });
  // promtool re-reads the whole file for every block it writes, so its default 2 h blocks would
  // take 360 passes over 30 days. --max-block-duration=486h (hidden in 2.42's --help) writes
  // blocks at the largest level Prometheus's own compaction reaches with a 10 y retention (its
  // ranges 2 h × 3^n, capped at 31 d): the layout compaction would end with.
  const promtool = run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', `--max-block-duration=${PROM_BLOCK}`, omFile, data], { timeoutMs: 600_000 });
  const blocksBefore = promBlocks(data).length;
  const stored = promBlocks(data).reduce((n, b) => n + (b.stats?.numSamples ?? 0), 0);
  if (stored !== samples) throw new Error(`promtool wrote ${stored} samples, expected ${samples}`);
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(config, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const port = await freePort();
  const started = performance.now();
  const server = await startServer('prometheus', 'prometheus', [
    `--config.file=${config}`, `--storage.tsdb.path=${data}`, '--storage.tsdb.retention.time=10y',
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], port, '/-/ready', { timeoutMs: 120_000 });
  await whileWaiting();
  const metric = async (name: string) => {
    const text = (await getText(`${server.base}/metrics`)).text;
    const m = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : Number.NaN;
  };
  // Compaction: triggered every minute; one trigger compacts everything plannable in a loop.
  const deadline = Date.now() + 240_000;
  let steadySince = 0;
  let lastBlocks = -1;
  for (;;) {
    const triggered = await metric('prometheus_tsdb_compactions_triggered_total');
    const blocks = await metric('prometheus_tsdb_blocks_loaded');
    const running = (await metric('prometheus_tsdb_compaction_populating_block')) === 1;
    if (blocks !== lastBlocks || running) {
      lastBlocks = blocks;
      steadySince = Date.now();
    }
    if (triggered >= 1 && !running && Date.now() - steadySince >= 5_000) break;
    if (Date.now() > deadline) throw new Error(`prometheus did not finish compacting within 4 min (${blocks} blocks loaded)`);
    await sleep(1_000);
  }
  const compactionWaitMs = performance.now() - started;
  const blocksAfter = promBlocks(data).length;
  const diskBytes = dirBytes(data, ['lock', 'queries.active']);
  return {
    server,
    loadMs: promtool.ms,
    promtoolMs: promtool.ms,
    compactionWaitMs,
    blocksBefore,
    blocksAfter,
    diskBytes,
    notes: [`promtool made ${blocksBefore} blocks; ${blocksAfter} after Prometheus's compaction`],
  };
}

export const PB_WORKLOAD = [
  'version: 1',
  'workload: { id: versus, title: Side-by-side benchmark, owner: bench }',
  '# Raw kept longer than the 30 days loaded, so every sample stays raw, as in the other two.',
  'storage: { retention: { raw: 40d, hourly: 400d } }',
  '',
].join('\n');

export interface PbEnv {
  root: string;
  cli: string;
  env: NodeJS.ProcessEnv;
}

export function pillarboardEnv(root: string, db: string, workload: string): PbEnv {
  return {
    root,
    cli: path.join(root, 'dist/server/cli.js'),
    env: {
      ...process.env,
      PILLARBOARD_DB: db,
      PILLARBOARD_CONFIG: workload,
      PILLARBOARD_WATCH: 'false',
      PILLARBOARD_LOG_LEVEL: 'warn',
      OTEL_SDK_DISABLED: 'true',
      HOST: '127.0.0.1',
    },
  };
}

/** Whether this build has `pillarboard import`, and which of its options. */
export function importCommand(pb: PbEnv): { available: boolean; help: string } {
  const r = spawnSync(process.execPath, [pb.cli, 'import', '--help'], { encoding: 'utf8', env: pb.env });
  const help = `${r.stdout}${r.stderr}`;
  return { available: r.status === 0 && /import/.test(help) && !/unknown command/i.test(help), help };
}

/**
 * Pillarboard: `pillarboard import FILE` when the build has it; otherwise (older builds) the
 * store's own batch path in this process, 10,000-sample batches series after series, said so.
 */
export function loadPillarboard(pb: PbEnv, db: string, omFile: string, series: readonly SeriesDef[], span: Span): { loadMs: number; via: string } {
  const cmd = importCommand(pb);
  if (cmd.available) {
    // `import` writes into an existing database, as a user's would be: `migrate` creates it (not timed).
    run(process.execPath, [pb.cli, 'migrate'], { env: pb.env });
    const args = [pb.cli, 'import', omFile];
    if (/--format/.test(cmd.help)) args.push('--format', 'openmetrics');
    const r = run(process.execPath, args, { env: pb.env, timeoutMs: 900_000 });
    return { loadMs: r.ms, via: `pillarboard import ${path.basename(omFile)}${args.includes('--format') ? ' --format openmetrics' : ''}` };
  }
  const t = performance.now();
  const store = openStore({ path: db, now: Date.now, retention: { rawMs: 40 * 86_400_000, hourlyMs: 400 * 86_400_000 } });
  try {
    const BATCH = 10_000;
    for (const s of series) {
      for (let k = 0; k < span.count; k += BATCH) {
        const batch = [];
        for (let j = k; j < Math.min(span.count, k + BATCH); j++) {
          const ts = span.start + j * span.stepMs;
          batch.push({ name: s.name, labels: s.labels, ts, value: s.value(ts) });
        }
        store.writeSamples(batch);
      }
    }
    store.updateRollups();
  } finally {
    store.close();
  }
  return { loadMs: performance.now() - t, via: 'the store API (writeSamples, 10,000-sample batches): this build has no `pillarboard import`' };
}

export async function startPillarboard(pb: PbEnv): Promise<Server> {
  const port = await freePort();
  return startServer('pillarboard', process.execPath, [pb.cli, 'serve', '--port', String(port), '--host', '127.0.0.1'], port, '/readyz', {
    env: pb.env,
    cwd: pb.root,
    timeoutMs: 300_000,
  });
}
