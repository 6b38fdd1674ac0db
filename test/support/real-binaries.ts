import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Real Prometheus and node_exporter processes for integration tests, on loopback
 * ports only. Every process started here is killed by `stop()` (call it in `after()`)
 * and, as a last resort, when the test process exits.
 */

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const NODE_EXPORTER_BIN = '/usr/bin/prometheus-node-exporter';

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * For `describe(name, { skip: requireBinary(PATH) }, ...)`: false when the binary
 * exists; otherwise a skip message, except under CI=true where a missing binary is a
 * broken environment and throws (failing the run instead of silently skipping).
 */
export function requireBinary(binary: string): false | string {
  if (existsSync(binary)) return false;
  const message = `${binary} is not installed (Debian: apt-get install ${path.basename(binary)})`;
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI=true requires it`);
  return `skipped: ${message}`;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export function start(binary: string, args: string[]): Started {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  return { child, output: () => output, stop };
}

export async function waitReady(started: Started, url: string, what: string): Promise<void> {
  await waitFor(what, async () => {
    if (started.child.exitCode !== null) {
      throw new Error(`${what} exited with code ${started.child.exitCode}: ${started.output()}`);
    }
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok ? true : undefined;
  }).catch(async (err: unknown) => {
    await started.stop();
    throw err;
  });
}

export interface NodeExporter {
  /** The metrics URL, e.g. http://127.0.0.1:PORT/metrics */
  url: string;
  /** host:port, for a Prometheus scrape target. */
  address: string;
  /** Directory read by the textfile collector: write NAME.prom files here to expose extra metrics. */
  textfileDir: string;
  stop: () => Promise<void>;
}

/**
 * node_exporter with the default collectors (it starts in well under a second here)
 * and a textfile directory, so a test can add families node_exporter lacks (histograms).
 */
export async function startNodeExporter(opts: { textfiles?: Record<string, string> } = {}): Promise<NodeExporter> {
  const port = await freePort();
  const textfileDir = await mkdtemp(path.join(os.tmpdir(), 'pb-textfile-'));
  for (const [name, content] of Object.entries(opts.textfiles ?? {})) {
    await writeFile(path.join(textfileDir, name), content);
  }
  const started = start(NODE_EXPORTER_BIN, [
    `--web.listen-address=127.0.0.1:${port}`,
    `--collector.textfile.directory=${textfileDir}`,
    // Slow or noisy on VMs and containers, and not needed by any test.
    '--no-collector.hwmon',
    '--no-collector.thermal_zone',
    '--no-collector.rapl',
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}/metrics`;
  await waitReady(started, url, `node_exporter on 127.0.0.1:${port}`);
  return {
    url,
    address: `127.0.0.1:${port}`,
    textfileDir,
    stop: async () => {
      await started.stop();
      await rm(textfileDir, { recursive: true, force: true });
    },
  };
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  dataDir: string;
  stop: () => Promise<void>;
}

/**
 * Prometheus scraping `scrapeTargets` (host:port, path /metrics) under job "targets" (none: no
 * scraping). Waits for /-/ready. `dataDir` starts it on existing TSDB blocks (e.g. made by
 * `promtool tsdb create-blocks-from openmetrics`), kept for ten years.
 */
export async function startPrometheus(opts: { scrapeTargets: string[]; scrapeInterval?: string; dataDir?: string }): Promise<PrometheusServer> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pb-prometheus-'));
  const dataDir = opts.dataDir ?? path.join(dir, 'data');
  const interval = opts.scrapeInterval ?? '1s';
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    ...(opts.scrapeTargets.length === 0
      ? []
      : [
          'scrape_configs:',
          '  - job_name: targets',
          '    static_configs:',
          `      - targets: [${opts.scrapeTargets.map((t) => JSON.stringify(t)).join(', ')}]`,
        ]),
    '',
  ].join('\n');
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, config);
  const started = start(PROMETHEUS_BIN, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
    ...(opts.dataDir ? ['--storage.tsdb.retention.time=10y'] : []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(started, `${url}/-/ready`, `prometheus on 127.0.0.1:${port}`);
  return {
    url,
    dataDir,
    stop: async () => {
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
