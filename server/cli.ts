#!/usr/bin/env node
/**
 * The `pillarboard` command. Exit codes: 0 ok, 1 runtime failure, 2 usage or invalid input.
 *
 * Imports here stay light on purpose: `serve` must start OpenTelemetry before Express and
 * node:http users are loaded, so heavy modules are required inside the actions.
 */
import { Command, CommanderError, Option } from 'commander';
import { systemClock } from './clock.js';
import { createLogger } from './log.js';
import { CliError } from './commands/errors.js';
import { packageVersion, resolveSettings, SettingsError, workloadEnv, type Settings } from './settings.js';

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

export { CliError };

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
  // The one clock of this process (the composition root): every part that reads the time or
  // waits gets it, directly or through the runtime (docs/design.md, "One clock").
  const clock = systemClock;
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
        clock,
        otlpEndpoint: settings.otlpEndpoint,
        disabled: settings.otelDisabled,
        serviceName: 'pillarboard',
        version,
        log,
      });
      const { startServer } = require('./serve.js') as typeof import('./serve.js');
      const running = await startOrExplain(settings, () => startServer(settings, { log, version, env: workloadEnv(), clock }));
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
        clock,
        once: Boolean(flags.once),
        ids: flags.collector,
        out: process.stdout,
      });
    });

  program
    .command('backfill')
    .description(
      'fill the history of collectors that can backfill (prometheus) from their source, now: what serve would fill in the ' +
        'background (new queries, ranges cut short), or with --since every query back to now − DURATION; resumable',
    )
    .addOption(configOpt())
    .addOption(dbOpt())
    .option('--collector <id>', 'only this collector (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--since <duration>', 'reach back this far, e.g. 30d (default: the longest window of the indicators reading each query, 15d to 35d)')
    .action(async (flags: { config?: string; db?: string; collector?: string[]; since?: string }) => {
      const settings = settingsFrom(flags);
      const { runBackfill } = require('./commands/backfill.js') as typeof import('./commands/backfill.js');
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        process.exitCode = await runBackfill({
          config: settings.config,
          db: settings.db,
          env: workloadEnv(),
          ids: flags.collector,
          since: flags.since,
          log: logger(settings),
          out: process.stdout,
          err: process.stderr,
          signal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  program
    .command('import')
    .description(
      'load history from timestamped exposition text into the database: OpenMetrics (timestamps in seconds), Prometheus text ' +
        '(milliseconds) or `promtool tsdb dump` output; streamed, any size; a sample at a stored series and time replaces it, ' +
        'so importing twice is harmless; bad input: file:line:column and exit 2, the batches before the bad line stay stored',
    )
    .argument('<file>', 'the file, or - for standard input')
    .addOption(new Option('-f, --format <format>', 'the text format (default: detected from the file, and said which)').choices(['openmetrics', 'prometheus']))
    .option('--dry-run', 'read and check the whole file, write nothing (no database needed)')
    .option('--batch <n>', 'samples per transaction (default 50000)')
    .addOption(configOpt())
    .addOption(dbOpt())
    .action(async (file: string, flags: { format?: 'openmetrics' | 'prometheus'; dryRun?: boolean; batch?: string; config?: string; db?: string }) => {
      const settings = settingsFrom(flags);
      let batchSize: number | undefined;
      if (flags.batch !== undefined) {
        batchSize = Number(flags.batch);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1_000_000) {
          throw new CliError(`--batch ${JSON.stringify(flags.batch)}: expected a whole number from 1 to 1000000`, EXIT_USAGE);
        }
      }
      const { runImport } = require('./commands/import.js') as typeof import('./commands/import.js');
      const { systemClock } = require('./clock.js') as typeof import('./clock.js');
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        process.exitCode = await runImport({
          file,
          format: flags.format,
          dryRun: Boolean(flags.dryRun),
          batchSize,
          config: settings.config,
          db: settings.db,
          env: workloadEnv(),
          stdin: process.stdin,
          out: process.stdout,
          err: process.stderr,
          clock: systemClock,
          signal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
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

  const store = program.command('store').description('move a whole store between SQLite and PostgreSQL');
  store
    .command('copy')
    .description(
      'copy every table from one store to another (a SQLite file or a postgres:// URL), read in one snapshot ' +
        '(safe while serve runs), written in one transaction into an empty destination, then verified ' +
        '(row counts, application tables row by row, raw samples of sampled series); progress on a terminal',
    )
    .requiredOption('--from <db>', 'source: a SQLite file or postgres://user@host:port/db (password from the URL, PGPASSWORD or a file: docs/scaling.md)')
    .requiredOption('--to <db>', 'destination: a new SQLite file, or an empty PostgreSQL database (migrated first)')
    .option('--verify-series <n>', 'series whose raw samples are read back from both and compared (0: none)', '50')
    .action(async (flags: { from: string; to: string; verifySeries: string }) => {
      const n = Number(flags.verifySeries);
      if (!Number.isInteger(n) || n < 0) throw new CliError(`--verify-series must be a whole number >= 0, got ${JSON.stringify(flags.verifySeries)}`, 2);
      const { runStoreCopy } = require('./commands/storeCopy.js') as typeof import('./commands/storeCopy.js');
      process.exitCode = await runStoreCopy({ from: flags.from, to: flags.to, sampleSeries: n }, process.stdout, process.stderr, systemClock);
    });

  program
    .command('rules')
    .description('print Prometheus recording and burn-rate alerting rules for the SLO indicators fed by a prometheus collector (exit 1, nothing written, if a query is named like a metric it reads)')
    .addOption(configOpt())
    .option('-o, --out <file>', 'write the rules to FILE instead of stdout')
    .action((flags: { config?: string; out?: string }) => {
      const settings = settingsFrom(flags);
      const { runRules } = require('./commands/rules.js') as typeof import('./commands/rules.js');
      process.exitCode = runRules(settings.config, workloadEnv(), { out: flags.out, stdout: process.stdout, stderr: process.stderr });
    });

  program
    .command('report')
    .description('build one week\'s outcome report: print it, write it, and with --send deliver it as the schedule would')
    .addOption(configOpt())
    .addOption(dbOpt())
    .option('-w, --week <week>', 'ISO week, e.g. 2026-W47, or "current" for this week so far (partial: shown, not archived nor sent; default: the last complete week in the report time zone)')
    .addOption(new Option('-f, --format <format>', 'md (default, to stdout), html, json, or pdf (needs --out and Chromium)').choices(['md', 'html', 'pdf', 'json']))
    .option('-o, --out <file>', 'write the report to FILE instead of stdout')
    .option('--send', 'deliver it through the configured e-mail and webhooks (one attempt each; exit 1 if one fails)')
    .addOption(new Option('--paper <size>', 'PDF paper size (default: reports.weekly.paper)').choices(['A4', 'Letter']))
    .action(async (flags: { config?: string; db?: string; week?: string; format?: string; out?: string; send?: boolean; paper?: string }) => {
      const settings = settingsFrom(flags);
      const { runReport } = require('./commands/report.js') as typeof import('./commands/report.js');
      process.exitCode = await runReport({
        config: settings.config,
        db: settings.db,
        env: workloadEnv(),
        week: flags.week,
        format: flags.format,
        out: flags.out,
        send: Boolean(flags.send),
        paper: flags.paper,
        log: logger(settings),
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });

  const token = program.command('token').description('manage API tokens (stored hashed; a new token is shown once)');
  token
    .command('create')
    .description('create a token and print it on stdout')
    .requiredOption('--name <name>', 'a name to recognise it by (unique among live tokens)')
    .requiredOption('--scope <scope>', 'read | write | admin (admin ⊃ write ⊃ read)')
    .addOption(dbOpt())
    .action(async (flags: { name: string; scope: string; db?: string }) => {
      const { runTokenCreate } = require('./commands/token.js') as typeof import('./commands/token.js');
      process.exitCode = await runTokenCreate(settingsFrom(flags).db, flags.name, flags.scope, process.stdout, process.stderr);
    });
  token
    .command('list')
    .description('list tokens (never their secret): id, name, scope, prefix, created, last used, revoked')
    .addOption(dbOpt())
    .action(async (flags: { db?: string }) => {
      const { runTokenList } = require('./commands/token.js') as typeof import('./commands/token.js');
      process.exitCode = await runTokenList(settingsFrom(flags).db, process.stdout);
    });
  token
    .command('revoke')
    .description('revoke a token by id or name; it stops working at once')
    .argument('<id-or-name>')
    .addOption(dbOpt())
    .action(async (idOrName: string, flags: { db?: string }) => {
      const { runTokenRevoke } = require('./commands/token.js') as typeof import('./commands/token.js');
      process.exitCode = await runTokenRevoke(settingsFrom(flags).db, idOrName, process.stdout, process.stderr);
    });

  const silence = program.command('silence').description('silence notifications for a while (applied from the next evaluation pass of a running server)');
  silence
    .command('add')
    .description('silence the notifications about one outcome, pillar or indicator (or * for all of a kind), or of a rule; prints its id')
    .option('--outcome <id>', 'an outcome id, or *')
    .option('--pillar <pillar>', 'a pillar (reliability, security, …), or *')
    .option('--indicator <id>', 'an indicator id, or *')
    .option('--rule <id>', 'a notification rule id, or *')
    .option('--for <duration>', 'how long, e.g. 2h or 30m')
    .option('--until <time>', 'or until when (RFC 3339 with a zone)')
    .option('--reason <text>', 'why (required; shown with the silence)')
    .option('--by <name>', 'who silenced it')
    .addOption(dbOpt())
    .action((flags: import('./commands/silence.js').SilenceAddFlags & { db?: string }) => {
      const { runSilenceAdd } = require('./commands/silence.js') as typeof import('./commands/silence.js');
      process.exitCode = runSilenceAdd(settingsFrom(flags).db, flags, { out: process.stdout, err: process.stderr, clock });
    });
  silence
    .command('list')
    .description('list silences not yet ended (with --all, the ended ones too)')
    .option('--all', 'include expired silences')
    .addOption(dbOpt())
    .action((flags: { all?: boolean; db?: string }) => {
      const { runSilenceList } = require('./commands/silence.js') as typeof import('./commands/silence.js');
      process.exitCode = runSilenceList(settingsFrom(flags).db, flags, { out: process.stdout, err: process.stderr, clock });
    });
  silence
    .command('expire')
    .description('end a silence now')
    .argument('<id>')
    .addOption(dbOpt())
    .action((id: string, flags: { db?: string }) => {
      const { runSilenceExpire } = require('./commands/silence.js') as typeof import('./commands/silence.js');
      process.exitCode = runSilenceExpire(settingsFrom(flags).db, id, { out: process.stdout, err: process.stderr, clock });
    });

  const event = program.command('event').description('record operational events (deployments, changes, incidents, game days, reviews, action items)');
  event
    .command('add')
    .description('record one event, through a running server (--server, --token) or straight into the database; idempotent by --source and --id')
    .requiredOption('--kind <kind>', 'deployment | change | incident | gameday | review | action_item')
    .requiredOption('--id <id>', 'the external id: a second add with the same --source and --id updates the event')
    .option('--source <source>', 'who reports it (default api)')
    .option('--service <name>', 'the service it concerns')
    .option('--env <environment>', 'e.g. production')
    .option('--start <time>', 'RFC 3339, Unix seconds, now or now-<duration> (default now)')
    .option('--end <time>', 'same forms; not before --start')
    .option('--status <status>', 'e.g. success, failure, in_progress, resolved')
    .option('--title <text>', 'a short description')
    .option('--commit <sha>', 'a commit it ships (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--deployment <id>', 'for an incident: the deployment that caused it')
    .option('--incident <id>', 'for a review or action item: its incident')
    .option('--url <url>', 'where to read more')
    .option('--attr <key=value>', 'an attribute (repeatable); key:=json for numbers and booleans', (v: string, acc: string[] = []) => [...acc, v])
    .option('--server <url>', 'post to this server\'s API instead of writing the database')
    .option('--token <token>', 'with --server: a token of scope write')
    .addOption(dbOpt())
    .action(async (flags: import('./commands/event.js').EventAddFlags) => {
      const settings = settingsFrom({ db: flags.db });
      const { runEventAdd } = require('./commands/event.js') as typeof import('./commands/event.js');
      process.exitCode = await runEventAdd(flags, { defaultDb: settings.db, clock, out: process.stdout, err: process.stderr });
    });

  // --- Well-Architected reviews (server/review, docs/review.md) ---
  const io = { out: process.stdout, err: process.stderr };
  const lens = program.command('lens').description('Well-Architected lenses in the AWS custom-lens JSON format');
  lens
    .command('import')
    .description('import a lens in the AWS custom-lens format (unknown keys are kept and warned about; invalid: exit 2 with file:line:column; re-importing an id keeps the answers of questions that still exist, the rest are archived)')
    .argument('<file>', 'lens JSON file')
    .option('--id <id>', 'store it under this id (default: a slug of its name)')
    .addOption(configOpt())
    .addOption(dbOpt())
    .action((file: string, flags: { id?: string; config?: string; db?: string }) => {
      const settings = settingsFrom(flags);
      const { runLensImport } = require('./commands/lens.js') as typeof import('./commands/lens.js');
      process.exitCode = runLensImport(settings.db, file, { id: flags.id, config: settings.config, env: workloadEnv() }, io, logger(settings));
    });
  lens
    .command('export')
    .description('print a lens in the AWS custom-lens JSON format, as imported')
    .argument('<id>', 'lens id (wellarchitected is built in)')
    .option('-o, --out <file>', 'write it to FILE instead of stdout')
    .addOption(dbOpt())
    .action((id: string, flags: { out?: string; db?: string }) => {
      const settings = settingsFrom(flags);
      const { runLensExport } = require('./commands/lens.js') as typeof import('./commands/lens.js');
      process.exitCode = runLensExport(settings.db, id, { out: flags.out }, io, logger(settings));
    });
  lens
    .command('list')
    .description('list the stored lenses')
    .addOption(dbOpt())
    .action((flags: { db?: string }) => {
      const settings = settingsFrom(flags);
      const { runLensList } = require('./commands/lens.js') as typeof import('./commands/lens.js');
      process.exitCode = runLensList(settings.db, io, logger(settings));
    });

  lens
    .command('remove')
    .description('remove an imported lens (not the built-in one); refused while it has answers or plan edits, unless --force')
    .argument('<id>', 'lens id')
    .option('--force', 'remove it anyway: its answers are archived, its improvement-plan edits deleted (milestones keep it)')
    .addOption(dbOpt())
    .action((id: string, flags: { force?: boolean; db?: string }) => {
      const settings = settingsFrom(flags);
      const { runLensRemove } = require('./commands/lens.js') as typeof import('./commands/lens.js');
      process.exitCode = runLensRemove(settings.db, id, { force: flags.force }, io, logger(settings));
    });

  const review = program.command('review').description('the Well-Architected review: risks per pillar, answers, milestones, improvement plan');
  review
    .command('show')
    .description('every question with its risk, answer source and selection, per pillar')
    .option('--lens <id>', 'only this lens')
    .addOption(dbOpt())
    .action((flags: { lens?: string; db?: string }) => {
      const settings = settingsFrom(flags);
      const { runReviewShow } = require('./commands/review.js') as typeof import('./commands/review.js');
      process.exitCode = runReviewShow(settings.db, { lens: flags.lens }, io, logger(settings));
    });
  review
    .command('answer')
    .description('answer a question (overriding its evidence where they differ), mark it not applicable, or return it to its evidence')
    .argument('<question>', 'question id')
    .option('--choices <ids>', 'the selected choice ids, comma-separated ("" for none)')
    .option('--na <reason>', 'not applicable: out_of_scope | business_priorities | architecture_constraints | other')
    .option('--auto', 'forget the person\'s answer: follow the evidence again')
    .option('--note <text>', 'why')
    .option('--lens <id>', 'the lens (needed only when several have the question)')
    .addOption(dbOpt())
    .action((question: string, flags: { choices?: string; na?: string; auto?: boolean; note?: string; lens?: string; db?: string }) => {
      const settings = settingsFrom(flags);
      const { runReviewAnswer } = require('./commands/review.js') as typeof import('./commands/review.js');
      process.exitCode = runReviewAnswer(settings.db, question, flags, io, logger(settings));
    });
  review
    .command('milestone')
    .description('take a named milestone (snapshot) of the review now')
    .argument('<name>')
    .addOption(dbOpt())
    .action((name: string, flags: { db?: string }) => {
      const settings = settingsFrom(flags);
      const { runReviewMilestone } = require('./commands/review.js') as typeof import('./commands/review.js');
      process.exitCode = runReviewMilestone(settings.db, name, io, logger(settings));
    });
  review
    .command('plan')
    .description('the improvement plan: every high and medium risk with what to do, owner, due date and status')
    .addOption(new Option('-f, --format <format>', 'markdown (default), csv or json').choices(['markdown', 'csv', 'json']))
    .option('-o, --out <file>', 'write it to FILE instead of stdout')
    .option('--lens <id>', 'only this lens')
    .addOption(dbOpt())
    .action((flags: { format?: string; out?: string; lens?: string; db?: string }) => {
      const settings = settingsFrom(flags);
      const { runReviewPlan } = require('./commands/review.js') as typeof import('./commands/review.js');
      process.exitCode = runReviewPlan(settings.db, flags, io, logger(settings));
    });

  return program;
}

async function startOrExplain<T>(settings: Settings, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const e = err as Error & { issues?: unknown[]; code?: string };
    if (e.name === 'WorkloadInvalidError') throw new CliError(e.message, EXIT_USAGE);
    if (e.code === 'SQLITE_CANTOPEN') throw new CliError(`cannot open the database ${settings.db}: ${e.message} (set --db or PILLARBOARD_DB to a writable path)`, EXIT_RUNTIME);
    if (e.name === 'ListenError') throw new CliError(e.message, EXIT_RUNTIME);
    throw err;
  }
}

const USER_FACING_ERRORS = new Set(['WriterLockError', 'DatabaseOpenError']);

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
    // The database is held by another writer, or cannot be opened: one line saying which file
    // and what to do, no stack trace (server/store/writerLock.ts, server/store/db.ts).
    if (err instanceof Error && USER_FACING_ERRORS.has(err.name)) {
      process.stderr.write(`pillarboard: ${err.message}\n`);
      return EXIT_USAGE;
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
