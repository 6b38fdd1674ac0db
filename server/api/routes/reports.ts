import { Router, type Request, type Response } from 'express';
import type { ReportsApi } from '../../reports/api.js';
import { headline, reportTitle } from '../../reports/format.js';
import { ChromiumMissingError } from '../../reports/render-pdf.js';
import { ReportsNotReadyError } from '../../reports/service.js';
import { CURRENT_WEEK, parseWeek, WeekError } from '../../reports/week.js';
import { requireScope } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { badParam, notFound, Problem } from '../problem.js';
import { answer } from '../contract/route.js';
import { ArchivedReportSchema, CurrentReportSchema, ReportListSchema, ReportRunAnswerSchema, type ReportData } from '../contract/reports.js';

/**
 * Weekly reports: the archive (list, one week as JSON meta + data or rendered), the week in
 * progress (`current`, built on each request, never archived), and an on-demand run (admin).
 * See docs/reports.md.
 */

const FORMATS = { json: 'application/json; charset=utf-8', md: 'text/markdown; charset=utf-8', html: 'text/html; charset=utf-8', pdf: 'application/pdf' } as const;
type Format = keyof typeof FORMATS;

/** The report HTML carries its own inline styles and nothing else: this policy allows exactly that. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

function iso(t: number): string;
function iso(t: number | null): string | null;
function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}

function api(deps: AppDeps): ReportsApi {
  if (!deps.reports) throw new Problem(503, 'not-ready', 'Reports are not available', 'this server runs without weekly reports');
  return deps.reports;
}

function translate(err: unknown, where: { name: string; in: 'path' | 'body' }): never {
  if (err instanceof WeekError) throw badParam(where.name, err.message, where.in);
  if (err instanceof ReportsNotReadyError) throw new Problem(503, 'not-ready', 'No workload loaded', 'the server has not loaded a valid workload yet');
  if (err instanceof ChromiumMissingError) throw new Problem(503, 'chromium-missing', 'PDF rendering is not available', err.message);
  throw err;
}

function links(week: string, hasPdf: boolean) {
  const base = `/api/reports/${week}`;
  return { self: base, json: `${base}.json`, md: `${base}.md`, html: `${base}.html`, pdf: `${base}.pdf`, pdfStored: hasPdf };
}

/** Per channel: attempts, whether the latest succeeded, its time and error. */
function deliverySummary(attempts: Awaited<ReturnType<ReportsApi['repository']['deliveries']>>) {
  const by = new Map<string, typeof attempts>();
  for (const a of attempts) by.set(a.channel, [...(by.get(a.channel) ?? []), a]);
  return [...by].map(([channel, list]) => {
    const last = list[list.length - 1]!;
    return { channel, ok: last.ok, attempts: list.length, lastAttemptAt: iso(last.at), lastError: last.ok ? null : last.error };
  });
}

export function reportRoutes(deps: AppDeps): Router {
  const r = Router();

  r.get('/api/reports', async (_req, res) => {
    const reports = api(deps);
    const [s, list] = await Promise.all([reports.scheduler.status(), reports.service.list()]);
    const deliveries = await Promise.all(list.map((m) => reports.repository.deliveries(m.week)));
    res.json(answer(ReportListSchema, {
      schedule: { enabled: s.enabled, cron: s.cron, timezone: s.timezone, nextRunAt: iso(s.nextRunAt), lastWeek: s.lastWeek, lastRunAt: iso(s.lastRunAt) },
      reports: list.map((m, i) => ({
        week: m.week,
        timezone: m.timezone,
        from: iso(m.from),
        to: iso(m.to),
        generatedAt: iso(m.generatedAt),
        trigger: m.trigger,
        warnings: m.warnings,
        links: links(m.week, m.hasPdf),
        deliveries: deliverySummary(deliveries[i]!),
      })),
    }));
  });

  r.get('/api/reports/:week', async (req, res) => {
    const reports = api(deps);
    const m = /^(.*?)(?:\.(json|md|html|pdf))?$/.exec(req.params.week!)!;
    const week = m[1]!;
    const format = m[2] as Format | undefined;
    if (week === CURRENT_WEEK) {
      await sendCurrent(reports, format, req, res);
      return;
    }
    try {
      parseWeek(week);
    } catch (err) {
      translate(err, { name: 'week', in: 'path' });
    }
    const stored = await reports.repository.get(week);
    if (!stored) throw notFound('report', `no report for ${week} in the archive; generate it with POST /api/reports/run {"week":"${week}"} or pillarboard report --week ${week}`);
    if (format === undefined) {
      res.json(answer(ArchivedReportSchema, {
        week: stored.week,
        timezone: stored.timezone,
        from: iso(stored.from),
        to: iso(stored.to),
        generatedAt: iso(stored.generatedAt),
        trigger: stored.trigger,
        warnings: stored.warnings,
        links: links(week, stored.hasPdf),
        deliveries: (await reports.repository.deliveries(week)).map((a) => ({ channel: a.channel, attempt: a.attempt, at: iso(a.at), ok: a.ok, error: a.error })),
        data: JSON.parse(stored.data) as ReportData, // stored as the schema's JSON
      }));
      return;
    }
    const filename = `pillarboard-${week}.${format}`;
    if (format === 'pdf') {
      const paper = paperParam(req);
      let pdf: Buffer | undefined;
      try {
        pdf = await reports.service.pdf(week, paper);
      } catch (err) {
        translate(err, { name: 'week', in: 'path' });
      }
      res.type(FORMATS.pdf).setHeader('Content-Disposition', `inline; filename="${filename}"`);
      res.send(pdf);
      return;
    }
    if (format === 'html') res.setHeader('Content-Security-Policy', REPORT_CSP);
    res.type(FORMATS[format]).setHeader('Content-Disposition', `inline; filename="${filename}"`);
    res.send(format === 'json' ? stored.data : format === 'md' ? stored.md : stored.html);
  });

  r.post('/api/reports/run', requireScope('admin', deps), async (req, res) => {
    const reports = api(deps);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw badParam('body', 'must be a JSON object { week?, send? }', 'body');
    if (body.week !== undefined && typeof body.week !== 'string') throw badParam('week', 'must be an ISO week such as "2026-W47"', 'body');
    if (body.send !== undefined && typeof body.send !== 'boolean') throw badParam('send', 'must be true or false', 'body');
    let result;
    try {
      const week = reports.service.resolveWeek(body.week as string | undefined);
      result = await reports.service.run(week, 'api', { send: body.send === true });
    } catch (err) {
      translate(err, { name: 'week', in: 'body' });
    }
    const channels = body.send === true ? (result.delivery ? 'started' : 'no channels') : 'not requested';
    res.status(201).json(answer(ReportRunAnswerSchema, {
      week: result.meta.week,
      generatedAt: iso(result.meta.generatedAt),
      trigger: result.meta.trigger,
      warnings: result.meta.warnings,
      summary: result.report.summary,
      delivery: channels,
      links: links(result.meta.week, result.meta.hasPdf),
    }));
  });

  return r;
}

/**
 * The week in progress, built now and never stored: `current` answers its metadata and data
 * (`partial: true`, `asOf`), `current.md|html|json|pdf` its renderings.
 */
async function sendCurrent(reports: ReportsApi, format: Format | undefined, req: Request, res: Response): Promise<void> {
  const paper = format === 'pdf' ? paperParam(req) : undefined;
  let g;
  try {
    g = await reports.service.render(reports.service.resolveWeek(CURRENT_WEEK, { allowCurrent: true }), { pdf: format === 'pdf', paper });
  } catch (err) {
    translate(err, { name: 'week', in: 'path' });
  }
  const filename = `pillarboard-${g.report.week}-so-far.${format ?? 'json'}`;
  res.setHeader('Cache-Control', 'no-store');
  if (format === undefined) {
    res.json(answer(CurrentReportSchema, {
      week: g.report.week,
      timezone: g.report.timezone,
      from: g.report.from,
      to: g.report.to,
      partial: true,
      asOf: g.report.asOf!, // a partial report always says where its figures end
      title: reportTitle(g.report),
      headline: headline(g.report),
      generatedAt: g.report.generatedAt,
      archived: false,
      warnings: g.warnings,
      links: links(CURRENT_WEEK, false),
      data: g.report,
    }));
    return;
  }
  if (format === 'pdf') {
    if (!g.pdf) {
      const why = g.warnings.find((w) => w.startsWith('PDF'))?.replace(/^PDF not produced: /, '') ?? 'the PDF could not be rendered';
      throw new Problem(503, 'chromium-missing', 'PDF rendering is not available', why);
    }
    res.type(FORMATS.pdf).setHeader('Content-Disposition', `inline; filename="${filename}"`);
    res.send(g.pdf);
    return;
  }
  if (format === 'html') res.setHeader('Content-Security-Policy', REPORT_CSP);
  res.type(FORMATS[format]).setHeader('Content-Disposition', `inline; filename="${filename}"`);
  res.send(format === 'json' ? JSON.stringify(g.report, null, 2) : format === 'md' ? g.markdown : g.html);
}

function paperParam(req: Request): 'A4' | 'Letter' | undefined {
  const p = req.query.paper;
  if (p === undefined) return undefined;
  if (p !== 'A4' && p !== 'Letter') throw badParam('paper', 'must be A4 or Letter');
  return p;
}
