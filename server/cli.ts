#!/usr/bin/env node
/**
 * The `pillarboard` command. Exit codes: 0 ok, 1 runtime failure, 2 usage or invalid input.
 *
 * Imports here stay light on purpose: `serve` must start OpenTelemetry before Express and
 * node:http users are loaded, so heavy modules are required inside the actions.
 */
import { Command, CommanderError, Option } from 'commander';
import { createLogger } from './log.js';
import { packageVersion, resolveSettings, SettingsError, workloadEnv, type Settings } from './settings.js';

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

/** An error whose message is for the user as it is, with the exit code it deserves. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

function settingsFrom(flags: Partial<Pick<Settings, 'config' | 'db' | 'port' | 'host'>>): Settings {
  try {
    return resolveSettings(flags);
  } catch (err) {
    if (err instanceof SettingsError) throw new CliError(`invalid setting: ${err.message}`, EXIT_USAGE);
    throw err;
  }
}

function logger(settings: Settings) {
  return createLogger({ level: settings.logLevel, format: settings.logFormat });
}

const configOpt = () => new Option('-c, --config <file>', 'workload file (env PILLARBOARD_CONFIG; default: the bundled example)');
const dbOpt = () => new Option('-d, --db <file>', 'SQLite database (env PILLARBOARD_DB; default ./data/pillarboard.db)');

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('pillarboard')
    .description(
      'Operational metrics → business outcomes, per Well-Architected pillar.\n' +
        'Collects metrics into SQLite, serves the API, dashboard and /metrics.',
    )
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('serve')
    .description('run the collectors and the HTTP server (API, dashboard, /metrics)')
    .addOption(configOpt())
    .addOption(dbOpt())
    .addOption(new Option('-p, --port <n>', 'HTTP port (env PORT; default 8080)'))
    .addOption(new Option('-H, --host <addr>', 'listen address (env HOST; default 0.0.0.0)'))
    .action(async (flags) => {
      const settings = settingsFrom(flags);
      const log = logger(settings);
      // Telemetry first, so its instrumentations patch http and express before they load.
      const { startTelemetry } = require('./telemetry/otel.js') as typeof import('./telemetry/otel.js');
      const version = packageVersion();
      const telemetry = startTelemetry({
        otlpEndpoint: settings.otlpEndpoint,
        disabled: settings.otelDisabled,
        serviceName: 'pillarboard',
        version,
      });
      const { startServer } = require('./serve.js') as typeof import('./serve.js');
      const running = await startOrExplain(() => startServer(settings, { log, version, env: workloadEnv() }));
      log.info('pillarboard listening', {
        url: running.url,
        config: settings.config,
        db: settings.db,
        tracing: telemetry.enabled ? settings.otlpEndpoint : 'off',
      });
      process.on('SIGHUP', () => {
        try {
          const r = running.runtime.workload.reload('signal');
          if (r.unchanged) log.info('SIGHUP: workload file unchanged');
        } catch (err) {
          // e.g. the version could not be stored: nothing was applied, the old workload runs on.
          log.error('SIGHUP: reload failed', { error: (err as Error).message });
        }
      });
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info('shutting down', { signal });
          void running
            .close()
            .then(() => telemetry.shutdown())
            .then(resolve, (err) => {
              log.error('shutdown failed', { error: (err as Error).message });
              process.exitCode = EXIT_RUNTIME;
              resolve();
            });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });

  program
    .command('check')
    .description('validate a workload file; prints every error as file:line:column and exits 2 if any')
    .argument('<file>', 'workload file')
    .action(async (file: string) => {
      const { runCheck } = require('./commands/check.js') as typeof import('./commands/check.js');
      process.exitCode = runCheck(file, workloadEnv(), process.stdout, process.stderr);
    });

  program
    .command('collect')
    .description('run the collectors without the HTTP server: once (--once) and exit, or on schedule until stopped')
    .addOption(configOpt())
    .addOption(dbOpt())
    .option('--once', 'run each collector once, print a table of the runs, and exit (1 if any failed)')
    .option('--collector <id>', 'only this collector (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .action(async (flags: { config?: string; db?: string; once?: boolean; collector?: string[] }) => {
      const settings = settingsFrom(flags);
      const { runCollect } = require('./commands/collect.js') as typeof import('./commands/collect.js');
      process.exitCode = await runCollect(settings, logger(settings), {
        once: Boolean(flags.once),
        ids: flags.collector,
        out: process.stdout,
      });
    });

  program
    .command('migrate')
    .description('apply pending database migrations and list them (serve also does this on start)')
    .addOption(dbOpt())
    .action(async (flags: { db?: string }) => {
      const settings = settingsFrom(flags);
      const { runMigrate } = require('./commands/migrate.js') as typeof import('./commands/migrate.js');
      process.exitCode = runMigrate(settings.db, process.stdout);
    });

  program
    .command('backup')
    .description('copy the database to FILE with SQLite\'s online backup (safe while serve runs)')
    .argument('<file>', 'destination file (must not exist)')
    .addOption(dbOpt())
    .option('--force', 'overwrite FILE if it exists')
    .action(async (file: string, flags: { db?: string; force?: boolean }) => {
      const settings = settingsFrom(flags);
      const { runBackup } = require('./commands/backup.js') as typeof import('./commands/backup.js');
      process.exitCode = await runBackup(settings.db, file, { force: Boolean(flags.force), err: process.stderr });
    });

  program
    .command('rules')
    .description('print Prometheus recording and burn-rate alerting rules for the SLO indicators fed by a prometheus collector')
    .addOption(configOpt())
    .option('-o, --out <file>', 'write the rules to FILE instead of stdout')
    .action((flags: { config?: string; out?: string }) => {
      const settings = settingsFrom(flags);
      const { runRules } = require('./commands/rules.js') as typeof import('./commands/rules.js');
      process.exitCode = runRules(settings.config, workloadEnv(), { out: flags.out, stdout: process.stdout, stderr: process.stderr });
    });

  const token = program.command('token').description('manage API tokens (stored hashed; a new token is shown once)');
  token
    .command('create')
    .description('create a token and print it on stdout')
    .requiredOption('--name <name>', 'a name to recognise it by (unique among live tokens)')
    .requiredOption('--scope <scope>', 'read | write | admin (admin ⊃ write ⊃ read)')
    .addOption(dbOpt())
    .action((flags: { name: string; scope: string; db?: string }) => {
      const { runTokenCreate } = require('./commands/token.js') as typeof import('./commands/token.js');
      process.exitCode = runTokenCreate(settingsFrom(flags).db, flags.name, flags.scope, process.stdout, process.stderr);
    });
  token
    .command('list')
    .description('list tokens (never their secret): id, name, scope, prefix, created, last used, revoked')
    .addOption(dbOpt())
    .action((flags: { db?: string }) => {
      const { runTokenList } = require('./commands/token.js') as typeof import('./commands/token.js');
      process.exitCode = runTokenList(settingsFrom(flags).db, process.stdout);
    });
  token
    .command('revoke')
    .description('revoke a token by id or name; it stops working at once')
    .argument('<id-or-name>')
    .addOption(dbOpt())
    .action((idOrName: string, flags: { db?: string }) => {
      const { runTokenRevoke } = require('./commands/token.js') as typeof import('./commands/token.js');
      process.exitCode = runTokenRevoke(settingsFrom(flags).db, idOrName, process.stdout, process.stderr);
    });

  return program;
}

async function startOrExplain<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const e = err as Error & { issues?: unknown[]; code?: string };
    if (e.name === 'WorkloadInvalidError') throw new CliError(e.message, EXIT_USAGE);
    if (e.code === 'EADDRINUSE') throw new CliError(`cannot listen: ${e.message}`, EXIT_RUNTIME);
    throw err;
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`pillarboard: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`pillarboard: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT_RUNTIME;
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
