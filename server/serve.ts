import { createServer, type Server } from 'node:http';
import type { Logger } from '../collectors/types.js';
import { createApp } from './api/app.js';
import { Runtime } from './runtime.js';
import type { Settings } from './settings.js';
import type { Clock } from './clock.js';

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
  opts: { log: Logger; version: string; env: Record<string, string | undefined>; clock: Clock },
): Promise<RunningServer> {
  const runtime = new Runtime({
    configPath: settings.config,
    dbPath: settings.db,
    env: opts.env,
    log: opts.log,
    version: opts.version,
    watch: settings.watch,
    clock: opts.clock,
    auth: { read: settings.readAuth, metrics: settings.metricsAuth },
    readWorkers: settings.readWorkers,
  });
  // The port first: a listen error (port taken, no permission, bad host) ends the start
  // before any collector runs or anything is evaluated. Until the workload is loaded (a few
  // ms later) the API answers 503 not-ready.
  const server = createServer(createApp(runtime.apiDeps()));
  try {
    await listen(server, settings.port, settings.host);
  } catch (err) {
    // Stops what started and gives the database (and its writer lock) back.
    await runtime.close(settings.shutdownTimeoutMs);
    throw err;
  }
  try {
    runtime.load(true);
  } catch (err) {
    server.close();
    // Gives the database (and its writer lock) back.
    await runtime.close(settings.shutdownTimeoutMs);
    throw err;
  }
  runtime.startMaintenance();
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

/** Why the server could not listen, in one line for the person who started it. */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

/**
 * Listens, or rejects with a ListenError. (Express 5's `app.listen` hands the error to its
 * callback, which then looks like success: the cause of `serve` logging "listening" on a
 * taken port and exiting 0.)
 */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, port, host));
    server.once('error', onError);
    try {
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    } catch (err) {
      onError(err as NodeJS.ErrnoException);
    }
  });
}

function listenError(err: NodeJS.ErrnoException, port: number, host: string): ListenError {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const code = err.code;
  const hint: Record<string, string> = {
    EADDRINUSE: `port ${port} is already in use on ${host} (another process listens there); stop it or choose another port with --port or PORT`,
    EACCES: `permission denied to listen on ${where}${port < 1024 ? ' (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : ''}; choose another port with --port or PORT`,
    EADDRNOTAVAIL: `${host} is not an address of this machine; set --host or HOST to one of its addresses (0.0.0.0 for all, 127.0.0.1 for this machine only)`,
    ENOTFOUND: `the host name ${host} does not resolve; set --host or HOST to an address of this machine (0.0.0.0 for all, 127.0.0.1 for this machine only)`,
    EAI_AGAIN: `the host name ${host} could not be resolved right now; set --host or HOST to an IP address (0.0.0.0 for all, 127.0.0.1 for this machine only)`,
  };
  const detail = (code && hint[code]) ?? err.message;
  return new ListenError(`cannot listen on ${where}: ${detail}${code && hint[code] ? ` (${code})` : ''}`, code);
}
