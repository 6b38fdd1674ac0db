import { ApiError, apiUrl, getJson } from '../api.js';
import { serverNow } from '../clock.js';
import { h, replace } from '../dom.js';
import { formatDate, formatWeekdayDateTime, formatWhen, timeZone } from '../format.js';
import type { Summary } from '../model.js';
import { MalformedError } from '../parse.js';
import { statusBadge } from '../status.js';
import { crumbs, notice, type View, type ViewContext } from './common.js';
import { table } from './tables.js';
import { isObj, str, num, time } from '../json.js';

/**
 * The weekly reports archive (GET /api/reports, docs/reports.md): each week with when it was
 * generated, how, whether each channel delivered it, and links to the HTML and PDF (the read
 * token added when the page has one), and links to this week so far (partial, never archived).
 * Generating and sending stay with the CLI and the API.
 */


interface Delivery {
  channel: string;
  ok: boolean;
  attempts: number;
  lastAttemptAt: number | null;
  lastError: string | null;
}

interface ReportRow {
  week: string;
  from: number | null;
  to: number | null;
  generatedAt: number | null;
  trigger: string | null;
  warnings: string[];
  pdfStored: boolean;
  deliveries: Delivery[];
}

interface Archive {
  schedule: { enabled: boolean; cron: string | null; timezone: string | null; nextRunAt: number | null; lastRunAt: number | null } | null;
  reports: ReportRow[];
}

const WEEK = /^\d{4}-W\d{2}$/;

function parseArchive(raw: unknown): Archive {
  if (!isObj(raw) || !Array.isArray(raw.reports)) throw new MalformedError('the reports answer has no list of reports');
  const s = isObj(raw.schedule) ? raw.schedule : null;
  return {
    schedule: s ? { enabled: s.enabled === true, cron: str(s.cron), timezone: str(s.timezone), nextRunAt: time(s.nextRunAt), lastRunAt: time(s.lastRunAt) } : null,
    reports: raw.reports
      .filter(isObj)
      .filter((r) => typeof r.week === 'string' && WEEK.test(r.week))
      .map((r) => ({
        week: r.week as string,
        from: time(r.from),
        to: time(r.to),
        generatedAt: time(r.generatedAt),
        trigger: str(r.trigger),
        warnings: Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string') : [],
        pdfStored: isObj(r.links) && r.links.pdfStored === true,
        deliveries: (Array.isArray(r.deliveries) ? r.deliveries.filter(isObj) : []).map((d) => ({
          channel: str(d.channel) ?? '?',
          ok: d.ok === true,
          attempts: num(d.attempts) ?? 0,
          lastAttemptAt: time(d.lastAttemptAt),
          lastError: str(d.lastError),
        })),
      })),
  };
}

/** GET /api/reports/current: the week so far, as its title and headline say it. */
interface Current {
  title: string;
  headline: string;
}

function parseCurrent(raw: unknown): Current | null {
  if (!isObj(raw) || raw.partial !== true) return null;
  const title = str(raw.title);
  const headline = str(raw.headline);
  return title && headline ? { title, headline } : null;
}

const TRIGGER: Record<string, string> = { schedule: 'on schedule', 'catch-up': 'catch-up after downtime', api: 'through the API', cli: 'from the command line' };
const REFRESH_MS = 60_000;

export class ReportsView implements View {
  readonly el: HTMLElement;
  private readonly message = h('div', { class: 'detail-message', 'aria-live': 'polite' });
  private readonly head = h('section', { class: 'detail-head' });
  private readonly body = h('div', { class: 'detail-body' });
  private loadedAt = 0;
  private loading = false;
  private destroyed = false;
  private loaded = false;
  private key = '';

  constructor(private readonly ctx: ViewContext) {
    replace(this.message, notice('loading', 'Loading the reports…'));
    this.el = h('div', { class: 'detail reports-page' }, crumbs([['Overview', '/'], ['Weekly reports', null]]), this.message, this.head, this.body);
  }

  title(): string {
    return 'Weekly reports';
  }

  parent(): string {
    return '/';
  }

  update(_s: Summary): void {
    if (Date.now() - this.loadedAt >= REFRESH_MS) void this.load();
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.loadedAt = Date.now();
    try {
      const raw = await getJson('/api/reports');
      const archive = parseArchive(raw);
      // The week so far is optional: without it the page still shows the archive and the links.
      const current = await getJson('/api/reports/current').then(parseCurrent, () => null);
      if (this.destroyed) return;
      this.loaded = true;
      replace(this.message);
      const key = JSON.stringify([raw, current]);
      if (key !== this.key) {
        this.key = key;
        this.render(archive, current);
      }
    } catch (err) {
      if (this.destroyed) return;
      this.loadedAt = 0;
      const e = err as Error;
      const missing = e instanceof ApiError && (e.status === 404 || e.status === 503);
      const text = missing
        ? `Weekly reports are not available on this server (${e.message}).`
        : `Could not load the reports: ${e.message}. ${this.loaded ? 'Showing what was loaded before; retrying' : 'Retrying'} with the next update.`;
      replace(this.message, notice(missing ? 'info' : 'error', text));
    } finally {
      this.loading = false;
    }
  }

  private render(a: Archive, current: Current | null): void {
    const now = serverNow();
    const s = a.schedule;
    let schedule: string;
    if (!s) schedule = '';
    else if (!s.enabled) schedule = 'The weekly schedule is off: reports are made on demand (pillarboard report, or POST /api/reports/run).';
    else schedule = `A report of the previous ISO week is written on schedule (${s.cron ?? 'cron'}${s.timezone ? `, ${s.timezone}` : ''})${s.nextRunAt ? `; next run ${formatWeekdayDateTime(s.nextRunAt)}` : ''}.`;
    replace(
      this.head,
      h('div', { class: 'head-title' }, h('h1', null, 'Weekly reports')),
      schedule ? h('p', { class: 'description', 'data-schedule': '' }, schedule) : null,
      h('p', { class: 'description' }, `Times in ${timeZone()}. The HTML and PDF open in a new tab.`),
    );
    const soFarLink = (fmt: string, label: string) =>
      h('a', { href: apiUrl(`/api/reports/current.${fmt}`), target: '_blank', rel: 'noopener noreferrer', 'data-format': fmt }, label);
    const soFar = h(
      'section',
      { class: 'panel', 'data-current-week': '' },
      h('h2', { class: 'panel-title' }, 'This week so far'),
      current ? h('p', { class: 'report-current', 'data-partial': 'true' }, h('strong', null, current.title), ` — ${current.headline}.`) : null,
      h(
        'p',
        { class: 'description' },
        'The week in progress, built when you open it and labelled partial: its figures run from Monday to now. It is not archived; the week\'s final report is written after it ends. ',
        h('span', { class: 'report-links' }, soFarLink('html', 'HTML'), soFarLink('pdf', 'PDF'), soFarLink('md', 'Markdown')),
      ),
    );
    if (!a.reports.length) {
      replace(this.body, soFar, h('section', { class: 'panel' }, notice('info', 'No report has been written yet. Run pillarboard report --week YYYY-Www to write one now.')));
      return;
    }
    const { wrap, tbody } = table('Archived weekly reports, newest first', [['Week'], ['Period'], ['Generated'], ['Delivery'], ['Open']]);
    const rows = [...a.reports].sort((x, y) => (x.week < y.week ? 1 : x.week > y.week ? -1 : 0));
    for (const r of rows) {
      const base = `/api/reports/${encodeURIComponent(r.week)}`;
      const link = (fmt: string, label: string, extra?: string) =>
        h('a', { href: apiUrl(`${base}.${fmt}`), target: '_blank', rel: 'noopener noreferrer', 'data-format': fmt, title: extra ?? null }, label);
      tbody.append(
        h(
          'tr',
          { 'data-week': r.week },
          h('th', { scope: 'row', class: 'nowrap' }, r.week),
          h('td', { class: 'nowrap' }, r.from !== null && r.to !== null ? `${formatDate(r.from)} – ${formatDate(r.to - 1)}` : '—'),
          h(
            'td',
            null,
            r.generatedAt !== null ? formatWhen(r.generatedAt, now) : '—',
            r.trigger ? h('span', { class: 'sub' }, TRIGGER[r.trigger] ?? r.trigger) : null,
            r.warnings.length ? h('span', { class: 'sub report-warning' }, `⚠ ${r.warnings.join('; ')}`) : null,
          ),
          h(
            'td',
            null,
            r.deliveries.length
              ? h(
                  'ul',
                  { class: 'deliveries' },
                  ...r.deliveries.map((d) =>
                    h(
                      'li',
                      { 'data-channel': d.channel },
                      statusBadge(d.ok ? 'ok' : 'critical', `${d.channel}: ${d.ok ? 'delivered' : 'failed'}`),
                      h('span', { class: 'sub' }, `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.lastAttemptAt !== null ? `, last ${formatWhen(d.lastAttemptAt, now)}` : ''}${d.lastError ? ` — ${d.lastError}` : ''}`),
                    ),
                  ),
                )
              : h('span', { class: 'muted' }, 'archived, not sent'),
          ),
          h(
            'td',
            { class: 'report-links' },
            link('html', 'HTML'),
            link('pdf', 'PDF', r.pdfStored ? undefined : 'rendered when first opened (needs Chromium on the server)'),
            link('md', 'Markdown'),
          ),
        ),
      );
    }
    replace(this.body, soFar, h('section', { class: 'panel table-panel' }, h('h2', { class: 'panel-title' }, 'Archive'), wrap));
  }

  destroy(): void {
    this.destroyed = true;
  }
}
