import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, start, waitReady } from './real-binaries.js';

/**
 * A real Prometheus Alertmanager (Debian `prometheus-alertmanager`) on a free loopback port, with
 * a temporary configuration and storage directory and clustering off. `stop()` kills it and
 * removes the directory (call it in `after()`).
 */

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export interface Alertmanager {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** Posts alerts to its API (`POST /api/v2/alerts`), as Prometheus or Pillarboard would. */
  postAlerts(alerts: unknown[]): Promise<void>;
  /** The alerts it holds (`GET /api/v2/alerts`), active and otherwise. */
  alerts(filter?: string[]): Promise<AmAlert[]>;
  output(): string;
  stop(): Promise<void>;
}

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  generatorURL?: string;
  status: { state: string };
}

/** `configYaml` is Alertmanager's own configuration file (route, receivers). */
export async function startAlertmanager(configYaml: string): Promise<Alertmanager> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pb-alertmanager-'));
  const config = path.join(dir, 'alertmanager.yml');
  await writeFile(config, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = start(ALERTMANAGER_BIN, [
    `--config.file=${config}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  await waitReady(started, `${url}/-/ready`, 'Alertmanager to be ready');
  return {
    url,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    },
    async alerts(filter = []) {
      const q = new URLSearchParams(filter.map((f) => ['filter', f]));
      const res = await fetch(`${url}/api/v2/alerts?${q}`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`GET /api/v2/alerts: ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    output: started.output,
    async stop() {
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
