import * as fs from 'node:fs';
import { collectorRegistry } from '../../collectors/index.js';
import type { Logger } from '../../collectors/types.js';
import { EventStore } from '../events/store.js';
import { createReports, type GeneratedReport, type PdfRenderer } from '../reports/index.js';
import { PARTIAL_NOT_ARCHIVED } from '../reports/service.js';
import { ReviewService } from '../review/index.js';
import { ChromiumMissingError } from '../reports/render-pdf.js';
import { WeekError } from '../reports/week.js';
import { silentLogger } from '../log.js';
import { openExistingStore } from './database.js';
import { formatIssue, loadWorkloadFile, reportContextOf } from '../workload/index.js';
import { systemClock, type Clock } from '../clock.js';

/**
 * `pillarboard report`: one week's report on demand — built from the database, archived like
 * a scheduled one (trigger `cli`), printed or written to a file, and with `--send` delivered
 * through the configured channels (one attempt each; the server's schedule retries, a
 * terminal wants an answer now). `--week current` renders the week so far, labelled partial,
 * and neither archives nor sends it. Exit 0 ok, 1 runtime failure (Chromium missing for a PDF,
 * a delivery failed), 2 invalid input (malformed or future week, bad format, invalid workload).
 */

export const REPORT_CLI_FORMATS = ['md', 'html', 'pdf', 'json'] as const;

export interface ReportCommandOptions {
  config: string;
  db: string;
  env: Record<string, string | undefined>;
  week?: string;
  format?: string;
  out?: string;
  send?: boolean;
  paper?: string;
  log: Logger;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The command's clock (default: the system clock; this one-shot command is a composition root). */
  clock?: Clock;
  /** Tests: a PDF renderer that is not Chromium on this machine. */
  pdf?: PdfRenderer;
}

export async function runReport(o: ReportCommandOptions): Promise<number> {
  const say = (line: string) => o.stderr.write(`pillarboard: ${line}\n`);
  const format = o.format ?? 'md';
  if (!(REPORT_CLI_FORMATS as readonly string[]).includes(format)) {
    say(`--format must be one of ${REPORT_CLI_FORMATS.join(', ')}, not "${format}"`);
    return 2;
  }
  if (format === 'pdf' && !o.out) {
    say('--format pdf writes a binary file: give --out FILE');
    return 2;
  }
  if (o.paper !== undefined && o.paper !== 'A4' && o.paper !== 'Letter') {
    say(`--paper must be A4 or Letter, not "${o.paper}"`);
    return 2;
  }
  const loaded = loadWorkloadFile(o.config, { registry: collectorRegistry, env: o.env });
  if (!loaded.ok) {
    for (const issue of loaded.errors) o.stderr.write(formatIssue(issue) + '\n');
    return 2;
  }
  const workload = loaded.workload;
  if (o.paper) workload.reports.weekly.paper = o.paper as 'A4' | 'Letter';

  const clock = o.clock ?? systemClock;
  const now = () => clock.now();
  const store = openExistingStore({ path: o.db, now });
  try {
    // The review as the server keeps it (lenses and answers in the database), for the report's review
    // section. Silent: its binding warnings are the server's to log, not this command's.
    const review = new ReviewService({ db: store.db, log: silentLogger, clock, events: new EventStore(store.db, now) });
    const w = workload.workload;
    review.setConfig({ lenses: workload.review.lenses, evidence: workload.review.evidence, workload: { id: w.id, title: w.title, timezone: w.timezone } });
    const reports = createReports({
      store,
      workload: () => reportContextOf(workload),
      events: () => new EventStore(store.db, now),
      review: () => review,
      log: o.log,
      clock,
      chromiumPath: o.env.PILLARBOARD_CHROMIUM || undefined,
      ...(o.pdf ? { pdf: o.pdf } : {}),
    });
    let week;
    try {
      week = reports.service.resolveWeek(o.week, { allowCurrent: true });
    } catch (err) {
      if (err instanceof WeekError) {
        say(`--week: ${err.message}`);
        return 2;
      }
      throw err;
    }
    if (week.asOf !== undefined && o.send) {
      say(`--send: ${PARTIAL_NOT_ARCHIVED}`);
      return 2;
    }
    const settings = workload.reports.weekly;
    const channels = o.send ? reports.service.channels() : [];
    if (o.send && channels.length === 0) {
      say('--send: no delivery channel is configured; add reports.weekly.email or reports.weekly.webhooks to the workload file');
      return 2;
    }
    const wantPdf = format === 'pdf' || (o.send === true && settings.formats.includes('pdf'));
    // The week so far is rendered, not archived: the archive holds each week's final report.
    let generated: GeneratedReport | null = null;
    let g: Omit<GeneratedReport, 'meta'> & { warnings: string[] };
    if (week.asOf !== undefined) {
      g = await reports.service.render(week, { pdf: wantPdf });
      say(`${g.report.week} so far, to ${g.report.asOf}: a partial report, not archived`);
    } else {
      generated = await reports.service.generate(week, 'cli', { pdf: wantPdf });
      g = { ...generated, warnings: generated.meta.warnings };
    }
    const warnings = g.warnings;
    for (const w of warnings) say(`warning: ${w}`);

    let code = 0;
    if (format === 'pdf' && !g.pdf) {
      // generate() recorded why; say it plainly (it names how to install Chromium).
      say(warnings.find((w) => w.startsWith('PDF'))?.replace(/^PDF not produced: /, '') ?? new ChromiumMissingError('not rendered').message);
      code = 1;
    } else {
      const body: string | Buffer =
        format === 'md' ? g.markdown : format === 'html' ? g.html : format === 'json' ? JSON.stringify(g.report, null, 2) + '\n' : g.pdf!;
      if (o.out) {
        fs.writeFileSync(o.out, body);
        say(`wrote the ${g.report.week} report (${format}) to ${o.out}`);
      } else {
        o.stdout.write(body);
      }
    }

    if (o.send && generated) {
      const results = await reports.service.send(generated, { retry: false });
      for (const r of results) say(r.ok ? `sent via ${r.channel}` : `sending via ${r.channel} failed: ${r.error}`);
      if (results.some((r) => !r.ok)) code = 1;
    }
    return code;
  } finally {
    store.close();
  }
}
