import * as path from 'node:path';
import * as fs from 'node:fs';
import { z } from 'zod';
import { defaultReadWorkers } from './workers/reads.js';

/**
 * Server settings: the one place that reads `process.env` (STYLE.md §6). Everything else
 * receives its settings as a parameter. Command-line flags override the environment.
 */
export const settingsSchema = z.object({
  config: z.string().describe('Workload file (PILLARBOARD_CONFIG); default: the bundled example workload.'),
  db: z.string().describe('SQLite database file (PILLARBOARD_DB); default ./data/pillarboard.db.'),
  port: z.coerce.number().int().min(0).max(65535).describe('HTTP port (PORT); default 8080.'),
  host: z.string().min(1).describe('Listen address (HOST); default 0.0.0.0.'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).describe('PILLARBOARD_LOG_LEVEL; default info.'),
  logFormat: z.enum(['text', 'json']).describe('PILLARBOARD_LOG_FORMAT; default text.'),
  otlpEndpoint: z.string().optional().describe('OTEL_EXPORTER_OTLP_ENDPOINT: export traces there when set.'),
  otelDisabled: z.boolean().describe('OTEL_SDK_DISABLED=true turns tracing off.'),
  watch: z.boolean().describe('PILLARBOARD_WATCH=false disables reloading the workload on file change.'),
  shutdownTimeoutMs: z.number().int().positive().describe('Bound on waiting for running collectors at shutdown.'),
  readAuth: z.enum(['public', 'token']).describe('PILLARBOARD_READ_AUTH: `public` (default) or `token` — reads need a read token.'),
  metricsAuth: z.enum(['public', 'token']).describe('PILLARBOARD_METRICS_AUTH: `public` (default) or `token` — /metrics needs a bearer token.'),
  readWorkers: z.coerce
    .number()
    .int()
    .min(0)
    .max(16)
    .describe('PILLARBOARD_READ_WORKERS: threads for range queries, series scans and evaluation passes (default: one per CPU, 1–4); 0 reads on the HTTP thread.'),
});
export type Settings = z.infer<typeof settingsSchema>;

/** The package root: where package.json, migrations/ and examples/ live (from source or from dist/). */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'migrations'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the pillarboard package root above ${__dirname}`);
    dir = up;
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export const DEFAULT_EXAMPLE = 'examples/workload.yaml';

export function resolveSettings(
  flags: Partial<Pick<Settings, 'config' | 'db' | 'port' | 'host'>>,
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const parsed = settingsSchema.safeParse({
    config: flags.config ?? env.PILLARBOARD_CONFIG ?? path.join(packageRoot(), DEFAULT_EXAMPLE),
    db: flags.db ?? env.PILLARBOARD_DB ?? path.join('data', 'pillarboard.db'),
    port: flags.port ?? env.PORT ?? 8080,
    host: flags.host ?? env.HOST ?? '0.0.0.0',
    logLevel: env.PILLARBOARD_LOG_LEVEL ?? 'info',
    logFormat: env.PILLARBOARD_LOG_FORMAT ?? 'text',
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    otelDisabled: env.OTEL_SDK_DISABLED === 'true' || env.NODE_ENV === 'test',
    watch: env.PILLARBOARD_WATCH !== 'false',
    shutdownTimeoutMs: 5_000,
    readAuth: env.PILLARBOARD_READ_AUTH ?? 'public',
    metricsAuth: env.PILLARBOARD_METRICS_AUTH ?? 'public',
    readWorkers: env.PILLARBOARD_READ_WORKERS ?? defaultReadWorkers(),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsError(`${issue.path.join('.')}: ${issue.message}`);
  }
  // The same test as store/pg/connection.ts isPostgresUrl, without loading pg for every command.
  if (/^postgres(ql)?:\/\//i.test(parsed.data.db.trim())) {
    // Never echo the URL: it may carry a password. Taken as a file name it would have become one.
    throw new SettingsError(
      `db (${flags.db !== undefined ? '--db' : 'PILLARBOARD_DB'}): a postgres:// URL; this release runs serve and the other commands on a SQLite file only — ` +
        'PostgreSQL is reached by `pillarboard store copy` (docs/scaling.md, "Status and plan")',
    );
  }
  return parsed.data;
}

export class SettingsError extends Error {}

/** The environment the workload file's `${VAR}` references resolve against. */
export function workloadEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return { ...env };
}
