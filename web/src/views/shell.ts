import { h, setAttr, setHidden, setText } from '../dom.js';
import { formatAgo, formatClock, formatWhen, timeZone, zoneName } from '../format.js';
import type { FeedState } from '../live.js';
import type { Summary, WorkloadFile } from '../model.js';
import { href } from '../params.js';
import { statusBadge, statusIcon, updateBadge, type UiStatus } from '../status.js';
import { bellIcon, channelTrouble, failingChannels } from './notify.js';

/**
 * The frame around every page: the header (workload, overall status, collectors, "updated
 * N s ago", clock) and the banners that say when the data on screen cannot be trusted.
 */

export class Header {
  readonly el: HTMLElement;
  private readonly workloadName = h('span', null, 'Pillarboard');
  private readonly workload = h('h1', { class: 'workload-title' });
  private readonly badge = statusBadge('unknown', 'Waiting for data');
  private readonly collectors = h('span', { class: 'collectors', hidden: true });
  /** "2 silences · quiet hours until 07:00": why the wall may not be telling anyone. */
  private readonly notifyText = h('span');
  private readonly notify: HTMLElement;
  private notifyKey = '';
  private readonly updatedIcon = h('span', { class: 'updated-icon' });
  private readonly updatedText = h('span', null, 'Connecting…');
  private readonly updated = h('span', { class: 'updated' }, this.updatedIcon, this.updatedText);
  private readonly clockTime = h('span', { class: 'clock-time' });
  private readonly clockZone = h('span', { class: 'clock-zone' });
  private readonly clock = h('time', { class: 'clock' }, this.clockTime, this.clockZone);
  /** Links to the pages beside the overview; none in kiosk mode (nobody clicks a TV). */
  private readonly nav: Map<string, HTMLAnchorElement> = new Map();
  private collectorsKey = '';
  private staleShown: boolean | null = null;

  constructor(kiosk: boolean) {
    const wall = kiosk ? null : h('a', { class: 'wall-link', href: href('/', { kiosk: '1', rotate: '30s' }) }, 'Wall-screen mode');
    let nav: HTMLElement | null = null;
    if (!kiosk) {
      for (const [name, path, label] of [
        ['review', '/review', 'Review'],
        ['reports', '/reports', 'Reports'],
        ['notifications', '/notifications', 'Notifications'],
      ] as const) {
        this.nav.set(name, h('a', { href: href(path), 'data-nav': name }, label));
      }
      nav = h('nav', { class: 'site-nav', 'aria-label': 'Pages' }, ...this.nav.values(), wall);
    }
    this.notify = kiosk
      ? h('span', { class: 'notify-state', hidden: true, 'data-notify': '' }, bellIcon(), this.notifyText)
      : h('a', { class: 'notify-state', hidden: true, 'data-notify': '', href: href('/notifications') }, bellIcon(), this.notifyText);
    // The workload's name leads back to the overview (except on a TV, where nothing is clicked).
    this.workload.append(kiosk ? this.workloadName : h('a', { class: 'home-link', href: href('/'), title: 'Overview' }, this.workloadName));
    this.el = h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, this.workload, this.badge),
      h('div', { class: 'meta' }, this.notify, this.collectors, this.updated, this.clock, nav),
    );
  }

  /** Marks the link of the page on screen. */
  setRoute(name: string): void {
    for (const [n, a] of this.nav) setAttr(a, 'aria-current', n === name ? 'page' : null);
  }

  update(s: Summary, now: number): void {
    this.updateNotify(s, now);
    setText(this.workloadName, s.workload.title);
    updateBadge(this.badge, s.status, `Overall: ${s.status === 'unknown' ? 'unknown' : this.badgeWord(s.status)}`);
    const c = s.collectors;
    setHidden(this.collectors, !c || c.total === 0);
    if (c && c.total > 0) {
      const key = `${c.up}/${c.total}/${c.failing.length}`;
      if (key !== this.collectorsKey) {
        this.collectorsKey = key;
        const st: UiStatus = c.failing.length === 0 ? 'ok' : c.failing.length >= c.total ? 'critical' : 'warning';
        // "up" counts collectors whose last run succeeded; one that has not run yet is neither.
        const n = c.failing.length;
        const text = n === 0 ? `${c.total} collector${c.total === 1 ? '' : 's'}, none failing` : `${n} of ${c.total} collector${c.total === 1 ? '' : 's'} failing`;
        this.collectors.replaceChildren(statusIcon(st), document.createTextNode(text));
        this.collectors.className = `collectors st-${st}`;
      }
    }
  }

  /** Silences and quiet hours in effect, in words; hidden when neither is. */
  private updateNotify(s: Summary, now: number): void {
    const n = s.notifications;
    const bits: string[] = [];
    if (n && n.silences.length > 0) bits.push(`${n.silences.length} silence${n.silences.length === 1 ? '' : 's'}`);
    if (n && n.quietUntil !== null) bits.push(`quiet hours until ${formatWhen(n.quietUntil, now)}`);
    const text = bits.join(' · ');
    if (text === this.notifyKey) return;
    this.notifyKey = text;
    setHidden(this.notify, text === '');
    setText(this.notifyText, text.charAt(0).toUpperCase() + text.slice(1));
    const title = n && n.silences.length > 0 ? `Notifications silenced: ${n.silences.map((x) => `${x.kind} ${x.target} (${x.reason})`).join('; ')}` : text ? `Notifications held: ${text}` : null;
    setAttr(this.notify, 'title', title);
  }

  private badgeWord(s: UiStatus): string {
    return { ok: 'OK', warning: 'Warning', critical: 'Critical', no_data: 'No data', stale: 'Stale', not_measured: 'Not measured', unknown: 'Unknown' }[s];
  }

  /** Every second: the clock and the age of the data. */
  tick(now: number, evaluatedAt: number | null | undefined, stale: boolean): void {
    setText(this.clockTime, formatClock(now));
    setText(this.clockZone, zoneName(now));
    setAttr(this.clock, 'datetime', new Date(now).toISOString());
    setAttr(this.clock, 'title', `Time in ${timeZone()}, the workload's time zone`);
    let text: string;
    if (evaluatedAt === undefined) text = 'Connecting…';
    else if (evaluatedAt === null) text = 'Not evaluated yet';
    else text = `Updated ${formatAgo(now - evaluatedAt)}`;
    setText(this.updatedText, text);
    if (stale !== this.staleShown) {
      this.staleShown = stale;
      this.updated.classList.toggle('is-stale', stale);
      this.updatedIcon.replaceChildren(...(stale ? [statusIcon('stale')] : []));
    }
  }
}

export interface BannerInput {
  summary: Summary | null;
  feed: FeedState;
  /** Why the last summary could not be read at all, if so. */
  parseError: string | null;
  paramProblems: string[];
  now: number;
  pollSeconds: number;
}

/** Banners, most urgent first. Each has a data-banner attribute tests and styles rely on. */
export class Banners {
  readonly el: HTMLElement;
  private readonly offline = banner('offline', 'critical');
  private readonly stale = banner('stale', 'stale');
  private readonly collectors = banner('collectors', 'warning');
  private readonly notify = banner('notify', 'warning');
  private readonly workload = banner('workload', 'warning');
  private readonly data = banner('data', 'unknown');

  constructor() {
    this.el = h('div', { class: 'banners', role: 'region', 'aria-label': 'Data freshness' }, this.offline.el, this.stale.el, this.collectors.el, this.notify.el, this.workload.el, this.data.el);
  }

  update(b: BannerInput): void {
    const s = b.summary;
    // Absolute times only: the text changes when the situation does, not every second
    // (screen readers announce every change of an alert).
    const shown = s?.evaluatedAt ? ` Showing the last data received, evaluated at ${formatWhen(s.evaluatedAt, b.now)}.` : '';
    let offline: string | null = null;
    if (b.feed.connection === 'offline') {
      const error = b.feed.error ?? 'unknown error';
      if (b.feed.problem === 'refused') {
        offline = `Pillarboard refuses to send data: ${error}.${shown}${/token|Unauthorized|Forbidden/i.test(error) ? ' Check the token= in this page’s address.' : ''}`;
      } else if (b.feed.problem === 'unreadable') {
        offline = `Pillarboard answered with data this page cannot read: ${error}.${shown}`;
      } else {
        offline = `Offline: cannot reach Pillarboard${b.feed.lastContactAt ? ` since ${formatWhen(b.feed.lastContactAt, b.now)}` : ''}.${shown} Retrying every ${b.pollSeconds} s.`;
      }
    }
    this.offline.set(offline);

    let stale: string | null = null;
    if (s && b.feed.connection !== 'offline') {
      if (s.evaluatedAt === null) stale = 'Not evaluated yet: the first evaluation has not finished, so there are no scores to show.';
      else if (s.stale) stale = `Stale data: the last evaluation was at ${formatWhen(s.evaluatedAt, b.now)}. The evaluation loop is behind; these numbers may no longer be true.`;
    }
    this.stale.set(stale);

    let coll: string | null = null;
    const failing = s?.collectors?.failing ?? [];
    if (failing.length) {
      const list = failing.slice(0, 3).map((f) => {
        const bits = [f.error ?? 'failing'];
        if (f.consecutiveFailures) bits.push(`${f.consecutiveFailures} failures in a row`);
        bits.push(f.lastSuccessAt ? `last success ${formatWhen(f.lastSuccessAt, b.now)}` : 'never succeeded');
        return `${f.id}${f.type ? ` (${f.type})` : ''}: ${bits.join(', ')}`;
      });
      const more = failing.length > 3 ? `; and ${failing.length - 3} more` : '';
      const fed = [...new Set(failing.flatMap((f) => f.feeds))];
      const which = fed.length === 0 ? '' : `: ${fed.slice(0, 4).join(', ')}${fed.length > 4 ? ` and ${fed.length - 4} more` : ''}`;
      coll = `${failing.length} of ${s!.collectors!.total} collectors failing — ${list.join('; ')}${more}. Indicators they feed go stale${which}.`;
    }
    this.collectors.set(coll);

    const channels = failingChannels(s?.notifications ?? null);
    let notify: string | null = null;
    if (channels.length > 0) {
      const total = s!.notifications!.channels.length;
      const list = channels.slice(0, 3).map((c) => channelTrouble(c, b.now));
      const more = channels.length > 3 ? `; and ${channels.length - 3} more` : '';
      const who = channels.length >= total ? 'Status changes may reach nobody' : 'Status changes may not reach everyone';
      notify = `Notifications failing: ${channels.length} of ${total} channel${total === 1 ? '' : 's'} — ${list.join('; ')}${more}. ${who} until it is fixed.`;
    }
    this.notify.set(notify);
    this.workload.set(s?.workloadFile ? refusedReload(s.workloadFile, b.now) : null);

    const problems = [...b.paramProblems];
    if (b.parseError) problems.unshift(`The last summary could not be read (${b.parseError}); ${s ? 'showing the one before' : 'nothing to show yet'}.`);
    if (s?.problems.length) problems.push(`The summary is incomplete: ${s.problems.join('; ')}.`);
    if (b.feed.error && b.feed.connection !== 'offline') problems.push(b.feed.error[0]!.toUpperCase() + b.feed.error.slice(1) + '.');
    this.data.set(problems.length ? problems.join(' ') : null);
  }

  isStale(): boolean {
    return !this.offline.el.hidden || !this.stale.el.hidden;
  }
}

/**
 * "The workload file has 2 errors; still running version 7 from 14:02." with the first error,
 * while the latest edit of the workload file is refused; null otherwise.
 */
function refusedReload(f: WorkloadFile, now: number): string | null {
  if (!f.refused) return null;
  const n = f.refused.errorCount;
  const running = f.version === null ? 'the last good version keeps running' : `still running version ${f.version}${f.appliedAt ? ` from ${formatWhen(f.appliedAt, now)}` : ''}`;
  const when = f.refused.at ? ` (edit refused ${formatWhen(f.refused.at, now)})` : '';
  const first = f.refused.issues[0] ? ` ${n > 1 ? 'First: ' : ''}${f.refused.issues[0]}.` : '';
  const check = ` Run pillarboard check ${f.path ?? 'FILE'} to see every problem.`;
  return `The workload file has ${n} error${n === 1 ? '' : 's'}; ${running}${when}.${first}${check}`;
}

function banner(kind: string, status: UiStatus) {
  const text = h('span', { class: 'banner-text' });
  const el = h('div', { class: `banner banner-${kind} st-${status}`, 'data-banner': kind, role: kind === 'offline' || kind === 'stale' ? 'alert' : 'status', hidden: true }, statusIcon(status), text);
  return {
    el,
    set(message: string | null) {
      setHidden(el, message === null);
      setText(text, message ?? '');
    },
  };
}
