import { ApiError, getJson } from '../api.js';
import { serverNow } from '../clock.js';
import { h, replace } from '../dom.js';
import { formatWhen, timeZone } from '../format.js';
import { list, num, str, time } from '../json.js';
import type { NotificationsSummary, Summary } from '../model.js';
import { href } from '../params.js';
import { statusBadge, type UiStatus } from '../status.js';
import { crumbs, notice, type View, type ViewContext } from './common.js';
import { bellIcon, silenceTarget, troubleWords } from './notify.js';
import { table } from './tables.js';

/**
 * The notifications page (docs/dashboard.md, "Notifications page"): each channel's health,
 * the silences and quiet hours in effect (from the summary, so they change with it), and the
 * newest messages with what became of each delivery (GET /api/notifications). Silencing and
 * expiring stay with the CLI and the API.
 */

interface Delivery {
  channel: string;
  state: string;
  attempts: number;
  lastError: string | null;
}

interface Message {
  id: number;
  rule: string;
  kind: string;
  subject: string;
  status: string;
  createdAt: number | null;
  headline: string;
  silencedBy: number | null;
  deliveries: Delivery[];
}

function parseMessages(raw: unknown): Message[] {
  const o = raw as { notifications?: unknown } | null;
  return list(o?.notifications)
    .filter((m) => num(m.id) !== null)
    .map((m) => ({
      id: num(m.id)!,
      rule: str(m.rule) ?? '?',
      kind: str(m.kind) ?? '?',
      subject: str(m.subject) ?? '',
      status: str(m.status) ?? 'unknown',
      createdAt: time(m.createdAt),
      headline: str(m.headline) ?? '',
      silencedBy: num(m.silencedBy),
      deliveries: list(m.deliveries).map((d) => ({ channel: str(d.channel) ?? '?', state: str(d.state) ?? '?', attempts: num(d.attempts) ?? 0, lastError: str(d.lastError) })),
    }));
}

const REFRESH_MS = 10_000;
const KIND_WORDS: Record<string, string> = { firing: 'firing', repeat: 'reminder', recovery: 'recovery', no_data: 'no longer measured' };
const DELIVERY: Record<string, [UiStatus, string]> = { sent: ['ok', 'sent'], failed: ['critical', 'failed'], pending: ['stale', 'waiting'] };

export class NotificationsView implements View {
  readonly el: HTMLElement;
  private readonly channels = h('section', { class: 'panel table-panel', 'data-section': 'channels' });
  private readonly silences = h('section', { class: 'panel table-panel', 'data-section': 'silences' });
  private readonly messages = h('section', { class: 'panel table-panel', 'data-section': 'messages' });
  private readonly message = h('div', { class: 'detail-message', 'aria-live': 'polite' });
  private loadedAt = 0;
  private loading = false;
  private destroyed = false;
  private statusKey = '';
  private messagesKey = '';

  constructor(private readonly ctx: ViewContext) {
    this.el = h(
      'div',
      { class: 'detail notifications-page' },
      crumbs([['Overview', '/'], ['Notifications', null]]),
      h('section', { class: 'detail-head' }, h('div', { class: 'head-title' }, h('h1', null, 'Notifications'))),
      this.message,
      this.channels,
      this.silences,
      this.messages,
    );
  }

  title(): string {
    return 'Notifications';
  }

  parent(): string {
    return '/';
  }

  update(s: Summary): void {
    const key = JSON.stringify({ ...s.notifications, silenced: undefined, tz: timeZone() });
    if (key !== this.statusKey) {
      this.statusKey = key;
      this.renderStatus(s.notifications);
    }
    if (Date.now() - this.loadedAt >= REFRESH_MS) void this.load();
  }

  private renderStatus(n: NotificationsSummary | null): void {
    const now = serverNow();
    if (!n) {
      replace(this.channels, notice('info', 'This workload sends no notifications: add a notifications: section to the workload file (docs/notifications.md).'));
      replace(this.silences);
      return;
    }
    const ch = table('Notification channels', [['Channel'], ['State'], ['Last success'], ['Waiting']]);
    for (const c of n.channels) {
      const state = c.failing
        ? h('td', null, statusBadge('critical', 'Failing'), h('span', { class: 'sub' }, troubleWords(c, now)))
        : h('td', null, c.lastAttemptAt === null ? statusBadge('not_measured', 'Not used yet') : statusBadge('ok', 'Delivering'));
      ch.tbody.append(
        h(
          'tr',
          { 'data-channel': c.name, 'data-failing': c.failing ? 'true' : 'false' },
          h('th', { scope: 'row' }, c.name, h('span', { class: 'sub' }, c.type)),
          state,
          h('td', { class: 'nowrap' }, c.lastSuccessAt !== null ? formatWhen(c.lastSuccessAt, now) : '—'),
          h('td', null, `${c.pending}`, c.failed > 0 ? h('span', { class: 'sub' }, `${c.failed} given up`) : null),
        ),
      );
    }
    ch.label();
    replace(this.channels, h('h2', { class: 'panel-title' }, 'Channels'), n.channels.length ? ch.wrap : notice('info', 'No channels configured.'));

    const quiet = n.quietUntil !== null ? `Quiet hours in effect: messages are held until ${formatWhen(n.quietUntil, now)}, then sent.` : 'No quiet hours in effect now.';
    const sl = table('Silences in effect', [['What'], ['Until'], ['Why'], ['Who']]);
    for (const x of n.silences) {
      sl.tbody.append(
        h(
          'tr',
          { 'data-silence': String(x.id) },
          h('th', { scope: 'row' }, bellIcon(), ` ${silenceTarget(x)}`),
          h('td', { class: 'nowrap' }, x.endsAt !== null ? formatWhen(x.endsAt, now) : '—'),
          h('td', null, x.reason),
          h('td', null, x.createdBy ?? '—'),
        ),
      );
    }
    sl.label();
    replace(
      this.silences,
      h('h2', { class: 'panel-title' }, 'Silences and quiet hours'),
      h('p', { class: 'description', 'data-quiet': n.quietUntil !== null ? 'true' : 'false' }, quiet),
      n.silences.length ? sl.wrap : h('p', { class: 'muted' }, 'No silence in effect.'),
      this.ctx.kiosk ? null : h('p', { class: 'description' }, 'Add or expire silences with pillarboard silence add|list|expire or POST /api/silences (docs/notifications.md).'),
    );
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.loadedAt = Date.now();
    try {
      const raw = await getJson('/api/notifications', { limit: '50' });
      if (this.destroyed) return;
      replace(this.message);
      const key = JSON.stringify(raw);
      if (key !== this.messagesKey) {
        this.messagesKey = key;
        this.renderMessages(parseMessages(raw));
      }
    } catch (err) {
      if (this.destroyed) return;
      this.loadedAt = 0;
      const e = err as Error;
      const missing = e instanceof ApiError && (e.status === 404 || e.status === 503);
      replace(this.message, notice(missing ? 'info' : 'error', missing ? `Notifications are not available on this server (${e.message}).` : `Could not load the notifications: ${e.message}. Retrying with the next update.`));
    } finally {
      this.loading = false;
    }
  }

  private renderMessages(ms: Message[]): void {
    const now = serverNow();
    if (ms.length === 0) {
      replace(this.messages, h('h2', { class: 'panel-title' }, 'Recent notifications'), h('p', { class: 'muted' }, 'No notification has been decided yet.'));
      return;
    }
    const t = table('Recent notifications, newest first', [['When'], ['Message'], ['Result']]);
    for (const m of ms) {
      const [kind, id] = m.subject.split(':');
      const path = kind && id ? `/${kind}s/${encodeURIComponent(id)}` : null;
      const result = m.silencedBy !== null
        ? h('span', { class: 'silence-mark long' }, bellIcon(), `silenced (silence ${m.silencedBy}): not sent`)
        : h(
            'ul',
            { class: 'deliveries' },
            ...m.deliveries.map((d) => {
              const [st, word] = DELIVERY[d.state] ?? ['unknown', d.state];
              return h(
                'li',
                { 'data-channel': d.channel, 'data-state': d.state },
                statusBadge(st, `${d.channel}: ${word}`),
                h('span', { class: 'sub' }, `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.lastError ? ` — ${d.lastError}` : ''}`),
              );
            }),
          );
      t.tbody.append(
        h(
          'tr',
          { 'data-notification': String(m.id), 'data-kind': m.kind },
          h('td', { class: 'nowrap' }, m.createdAt !== null ? formatWhen(m.createdAt, now) : '—'),
          h('td', null, path && !this.ctx.kiosk ? h('a', { href: href(path) }, m.headline) : m.headline, h('span', { class: 'sub' }, `${KIND_WORDS[m.kind] ?? m.kind} · rule ${m.rule}`)),
          h('td', null, result),
        ),
      );
    }
    t.label();
    replace(this.messages, h('h2', { class: 'panel-title' }, 'Recent notifications'), h('p', { class: 'description' }, `Newest first; times in ${timeZone()}.`), t.wrap);
  }

  destroy(): void {
    this.destroyed = true;
  }
}
