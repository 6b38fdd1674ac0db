import { ApiError, getJson, setToken, whenVisible } from './api.js';
import { serverNow } from './clock.js';
import { h, replace } from './dom.js';
import { setTimeZone } from './format.js';
import { LiveFeed, type FeedState } from './live.js';
import { PILLARS, isPillarId, type Summary } from './model.js';
import { parseSummary } from './parse.js';
import { parseReviewSummary, type ReviewSummary } from './review-data.js';
import { href, type Params } from './params.js';
import { Rotation } from './rotation.js';
import { parseRoute, type Route } from './router.js';
import { notice, type View, type ViewContext } from './views/common.js';
import { IndicatorView } from './views/indicator.js';
import { OutcomeView } from './views/outcome.js';
import { OverviewView } from './views/overview.js';
import { PillarView } from './views/pillar.js';
import { ReportsView } from './views/reports.js';
import { NotificationsView } from './views/notifications.js';
import { ReviewView } from './views/review.js';
import { Banners, Header } from './views/shell.js';

const POLL_MS = 10_000;
const DAY = 86_400_000;
const RENDER_SAMPLES = 100;
/** The review's risk counts change with evaluations, slowly: refetched at most this often. */
const REVIEW_REFRESH_MS = 60_000;
/** A server without reviews (404, 503) is asked again only this often. */
const REVIEW_ABSENT_RETRY_MS = 10 * 60_000;

/** What tests and the benchmark read (window.pillarboard): counts and timings, no data. */
export interface Probe {
  updates: number;
  /** Milliseconds of the last summary render, JS plus style and layout (Performance API clock). */
  lastRenderMs: number | null;
  renderMs: number[];
  /** performance.now() when the overview first showed data. */
  firstRenderAt: number | null;
  view: string;
  connection: string;
  errors: string[];
}

declare global {
  interface Window {
    pillarboard: Probe;
  }
}

/**
 * The dashboard: header and banners around one view at a time, fed by the live summary.
 * Views are created on navigation and updated in place with every summary; nothing is
 * rebuilt per update except what changed.
 */
export class App {
  private readonly header: Header;
  private readonly banners: Banners;
  private readonly main: HTMLElement;
  private readonly feed: LiveFeed;
  private readonly ctx: ViewContext;
  private view: View | null = null;
  private route: Route = { name: 'overview' };
  private summary: Summary | null = null;
  private parseError: string | null = null;
  private readonly probe: Probe = { updates: 0, lastRenderMs: null, renderMs: [], firstRenderAt: null, view: '', connection: 'connecting', errors: [] };
  private rotation: Rotation | null = null;
  /** The one message shown while the current view fails to update. */
  private viewError: HTMLElement | null = null;
  /** Risk counts per pillar from GET /api/review/summary; null while unknown or when the server has no review. */
  private review: ReviewSummary | null = null;
  private reviewKey = '';
  private reviewNextAt = 0;
  private reviewEvaluation: number | null | undefined = undefined;
  private reviewLoading = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly params: Params,
  ) {
    window.pillarboard = this.probe;
    setToken(params.token);
    this.ctx = { kiosk: params.kiosk };
    const doc = document.documentElement;
    doc.dataset['theme'] = params.theme;
    doc.classList.toggle('kiosk', params.kiosk);
    this.header = new Header(params.kiosk);
    this.banners = new Banners();
    this.main = h('main', { id: 'main', tabindex: '-1' });
    this.feed = new LiveFeed(
      (raw) => this.onSummary(raw),
      (s) => this.onFeedState(s),
      { pollMs: POLL_MS },
    );
    if (params.rotateMs) {
      this.rotation = new Rotation(
        params.rotateMs,
        () => ['/', ...(this.summary?.outcomes ?? []).map((o) => `/outcomes/${encodeURIComponent(o.id)}`), ...PILLARS.map(([p]) => `/pillars/${p}`)],
        () => location.pathname,
        (path) => this.navigate(path, true),
      );
    }
  }

  start(): void {
    replace(this.root, this.header.el, this.banners.el, this.rotation?.el ?? null, this.main);
    this.showRoute();
    this.updateBanners();
    document.addEventListener('click', this.onClick);
    window.addEventListener('popstate', () => this.showRoute());
    document.addEventListener('keydown', this.onKey);
    this.feed.start();
    this.rotation?.start();
    this.tick();
    setInterval(() => this.tick(), 1000);
    this.scheduleReload(DAY + Math.random() * 10 * 60_000);
  }

  navigate(path: string, replaceState = false): void {
    const url = href(path);
    if (replaceState) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.showRoute();
    if (!this.params.kiosk) this.main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  private showRoute(): void {
    const route = parseRoute(location.pathname, location.search);
    const same = JSON.stringify(route) === JSON.stringify(this.route) && this.view !== null;
    if (same) return;
    this.route = route;
    this.view?.destroy();
    this.viewError = null;
    this.view = this.createView(route);
    this.probe.view = route.name;
    document.documentElement.dataset['view'] = route.name;
    this.header.setRoute(route.name);
    replace(this.main, this.view?.el ?? null);
    if (this.view?.updateReview && this.reviewKey !== '') this.safely(() => this.view!.updateReview!(this.review));
    if (this.summary && this.view) this.safely(() => this.view!.update(this.summary!));
    this.setTitle();
  }

  private createView(route: Route): View | null {
    const s = this.summary;
    switch (route.name) {
      case 'overview':
        return new OverviewView(this.ctx, PILLARS.map(([id, title]) => [id, title]));
      case 'pillar':
        if (!isPillarId(route.id)) return this.missing(`There is no pillar "${route.id}". The six pillars are ${PILLARS.map(([, t]) => t).join(', ')}.`);
        return new PillarView(this.ctx, route.id);
      case 'outcome':
        return new OutcomeView(this.ctx, route.id, s?.outcomes.find((o) => o.id === route.id)?.title ?? null);
      case 'indicator': {
        const known = s?.outcomes.flatMap((o) => o.indicators).find((i) => i.id === route.id);
        return new IndicatorView(this.ctx, route.id, known ? { title: known.title, pillar: known.pillar } : null);
      }
      case 'review':
        return new ReviewView(this.ctx, route.pillar);
      case 'reports':
        return new ReportsView(this.ctx);
      case 'notifications':
        return new NotificationsView(this.ctx);
      case 'not_found':
        return this.missing(`Nothing is at ${route.path}.`);
    }
  }

  private missing(text: string): View {
    const el = h('div', { class: 'detail' }, notice('error', text), h('p', null, h('a', { href: href('/') }, 'Back to the overview')));
    return { el, title: () => 'Not found', parent: () => '/', update: () => undefined, destroy: () => undefined };
  }

  private onSummary(raw: unknown): void {
    let s: Summary;
    try {
      s = parseSummary(raw);
      this.parseError = null;
    } catch (err) {
      this.parseError = (err as Error).message;
      this.updateBanners();
      return;
    }
    const t0 = performance.now();
    this.summary = s;
    setTimeZone(s.workload.timezone);
    this.header.update(s, serverNow());
    this.updateBanners();
    if (this.view) this.safely(() => this.view!.update(s));
    this.setTitle();
    // Style and layout now, so the figure covers what the browser must do before painting.
    void this.main.offsetHeight;
    const ms = performance.now() - t0;
    this.probe.updates++;
    this.probe.lastRenderMs = ms;
    this.probe.renderMs.push(ms);
    if (this.probe.renderMs.length > RENDER_SAMPLES) this.probe.renderMs.shift();
    if (this.probe.firstRenderAt === null && this.route.name === 'overview') {
      this.probe.firstRenderAt = performance.now();
      performance.mark('pillarboard:first-render');
    }
    document.documentElement.dataset['updates'] = String(this.probe.updates);
    this.tick();
    void this.refreshReview(s);
  }

  /**
   * The review's risk counts, fetched with the summary: after a new evaluation, at most once a
   * minute. A server without reviews (404, 503) shows no counts and no error, and is asked
   * again every ten minutes; a failed fetch keeps the counts shown.
   */
  private async refreshReview(s: Summary): Promise<void> {
    const now = Date.now();
    if (this.reviewLoading || now < this.reviewNextAt || s.evaluatedAt === this.reviewEvaluation) return;
    this.reviewLoading = true;
    this.reviewEvaluation = s.evaluatedAt;
    this.reviewNextAt = now + REVIEW_REFRESH_MS;
    let next: ReviewSummary | null = this.review;
    try {
      next = parseReviewSummary(await getJson('/api/review/summary'));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 503)) {
        next = null;
        this.reviewNextAt = now + REVIEW_ABSENT_RETRY_MS;
      } else {
        // Try again with the next summary.
        this.reviewEvaluation = undefined;
        this.reviewNextAt = now + POLL_MS;
      }
    } finally {
      this.reviewLoading = false;
    }
    const key = next ? JSON.stringify({ ...next, pillars: [...next.pillars] }) : 'none';
    if (key === this.reviewKey) return;
    this.reviewKey = key;
    this.review = next;
    if (this.view?.updateReview) this.safely(() => this.view!.updateReview!(next));
  }

  private onFeedState(s: FeedState): void {
    this.probe.connection = s.connection;
    document.documentElement.dataset['connection'] = s.connection;
    this.updateBanners();
    this.tick();
  }

  private updateBanners(): void {
    this.banners.update({
      summary: this.summary,
      feed: this.feed.current(),
      parseError: this.parseError,
      paramProblems: this.params.problems,
      now: serverNow(),
      pollSeconds: POLL_MS / 1000,
    });
    const stale = this.banners.isStale();
    const doc = document.documentElement;
    if (stale) doc.dataset['stale'] = '';
    else delete doc.dataset['stale'];
  }

  private tick(): void {
    this.header.tick(serverNow(), this.summary ? this.summary.evaluatedAt : undefined, this.banners.isStale());
  }

  private setTitle(): void {
    const name = this.summary?.workload.title;
    document.title = [this.view?.title(), name, 'Pillarboard'].filter((x, i, a) => x && a.indexOf(x) === i).join(' — ');
  }

  /** A view that throws shows a message instead of leaving a blank or half-drawn page. */
  private safely(fn: () => void): void {
    try {
      fn();
      this.viewError?.remove();
      this.viewError = null;
    } catch (err) {
      const msg = `${(err as Error).message}`;
      this.probe.errors.push(msg);
      if (this.probe.errors.length > 20) this.probe.errors.shift();
      console.warn('pillarboard: view update failed:', err);
      const el = notice('error', `Part of this page could not be drawn: ${msg}. The rest stays as it was.`);
      if (this.viewError) this.viewError.replaceWith(el);
      else this.main.prepend(el);
      this.viewError = el;
    }
  }

  private readonly onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    history.pushState(null, '', url.pathname + url.search);
    this.showRoute();
    if (!this.params.kiosk) this.main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  };

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    const up = this.view?.parent();
    if (up) this.navigate(up);
  };

  /**
   * A safety reload once a day clears whatever a browser accumulates over weeks on a wall.
   * Only when Pillarboard answers: reloading while it is down would replace the last good
   * data with the browser's error page.
   */
  private scheduleReload(delayMs: number): void {
    setTimeout(async () => {
      await whenVisible();
      try {
        const res = await fetch('/', { method: 'HEAD', cache: 'no-store' });
        if (res.ok) {
          location.reload();
          return;
        }
      } catch {
        /* not reachable: try later */
      }
      this.scheduleReload(5 * 60_000);
    }, delayMs);
  }
}
