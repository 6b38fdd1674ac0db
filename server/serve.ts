import type { Server } from 'node:http';
import type { Logger } from '../collectors/types.js';
import { createApp } from './api/app.js';
import { Runtime } from './runtime.js';
import type { Settings } from './settings.js';

export interface RunningServer {
  runtime: Runtime;
  server: Server;
  url: string;
  /** Graceful stop: refuse new connections, stop collectors (bounded), close the database. */
  close(): Promise<void>;
}

/** Starts the HTTP server, the collectors and upkeep. Telemetry must already be started. */
export async function startServer(
  settings: Settings,
  opts: { log: Logger; version: string; env: Record<string, string | undefined> },
): Promise<RunningServer> {
  const runtime = new Runtime({
    configPath: settings.config,
    dbPath: settings.db,
    env: opts.env,
    log: opts.log,
    version: opts.version,
    watch: settings.watch,
    auth: { read: settings.readAuth, metrics: settings.metricsAuth },
  });
  let server: Server;
  try {
    runtime.load(true);
    runtime.startMaintenance();
    const app = createApp(runtime.apiDeps());
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(settings.port, settings.host, () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    // Stops what started and gives the database (and its writer lock) back.
    await runtime.close(settings.shutdownTimeoutMs);
    throw err;
  }
  server.keepAliveTimeout = 65_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : settings.port;
  const shownHost = settings.host === '0.0.0.0' || settings.host === '::' ? 'localhost' : settings.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    runtime,
    server,
    url,
    close() {
      closing ??= (async () => {
        const httpClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        const clean = await runtime.close(settings.shutdownTimeoutMs);
        if (!clean) opts.log.warn('some collectors did not stop within the shutdown bound; their runs were abandoned');
        server.closeAllConnections();
        await httpClosed;
      })();
      return closing;
    },
  };
}
