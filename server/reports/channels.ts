import type * as Nodemailer from 'nodemailer';
import type { EmailSettings, WebhookSettings } from './settings.js';
import { timeoutSignal, type Clock } from '../clock.js';

/**
 * Delivery channels: e-mail over SMTP (nodemailer) and webhooks (Slack-compatible or JSON).
 * A channel makes one attempt and throws on failure with a message safe to store and show:
 * it names the channel and the server's origin, never a webhook's full URL (Slack's carries
 * a token) nor a password. Retrying is delivery.ts's job.
 */

/**
 * One message in every channel's form. The weekly report and notifications (server/notifications)
 * both send through these channels; each builds its own message.
 */
export interface DeliveryMessage {
  subject: string;
  /** Plain-text/Markdown body, the mail's text alternative. */
  markdown: string;
  html: string;
  /** Short chat summary (Slack-compatible text). */
  chat: string;
  attachments: Array<{ filename: string; content: Buffer | string; contentType: string }>;
  link?: string;
  /** What a `json` webhook receives (a `slack` one receives `{ text: chat }`). */
  json: Record<string, unknown>;
  /**
   * A stable id of this message, the same on every attempt (a retry, a resend after a crash), so
   * a receiver can drop a copy: webhooks send it as `Idempotency-Key`, e-mail as the Message-ID.
   */
  id?: string;
}

export interface Channel {
  /** `email`, or the webhook's name. */
  name: string;
  send(message: DeliveryMessage): Promise<void>;
}

export interface ChannelOptions {
  /** Bound on one attempt (connect, send, answer). Default 30 s. */
  timeoutMs?: number;
  /**
   * The runtime's clock: a webhook's bound waits on it. (SMTP's bounds are nodemailer's own
   * socket timeouts, on the system's time; see docs/design.md, "One clock".)
   */
  clock: Clock;
  /** Sent by webhooks; default `pillarboard-reports`. */
  userAgent?: string;
}

export function emailChannel(settings: EmailSettings, opts: ChannelOptions): Channel {
  const timeout = opts.timeoutMs ?? 30_000;
  const s = settings.smtp;
  return {
    name: 'email',
    async send(m) {
      // Loaded on the first e-mail, not at start: most servers never send one (~3 MB of RSS).
      const nodemailer = require('nodemailer') as typeof Nodemailer;
      const transport = nodemailer.createTransport({
        host: s.host,
        port: s.port,
        secure: s.secure,
        requireTLS: s.requireTls,
        ...(s.auth ? { auth: { user: s.auth.user, pass: s.auth.password } } : {}),
        tls: { rejectUnauthorized: s.tls.rejectUnauthorized, ...(s.tls.servername ? { servername: s.tls.servername } : {}) },
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      });
      try {
        await transport.sendMail({
          from: settings.from,
          to: settings.to,
          ...(settings.cc.length ? { cc: settings.cc } : {}),
          subject: m.subject,
          ...(m.id !== undefined && { messageId: `<${m.id}@${mailDomain(settings.from)}>` }),
          text: m.markdown,
          html: m.html,
          attachments: m.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
        });
      } catch (err) {
        const e = err as Error & { code?: string; responseCode?: number };
        const code = e.responseCode ? `SMTP ${e.responseCode}` : e.code;
        throw new Error(`e-mail via ${s.host}:${s.port} failed${code ? ` (${code})` : ''}: ${e.message}`);
      } finally {
        transport.close();
      }
    },
  };
}

/** The domain of a From address ("Pillarboard <pb@example.com>" → example.com), for Message-IDs. */
function mailDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'pillarboard.invalid';
}

/** The body a webhook receives. */
export function webhookBody(format: WebhookSettings['format'], m: DeliveryMessage): unknown {
  return format === 'slack' ? { text: m.chat } : m.json;
}

export function webhookChannel(settings: WebhookSettings, opts: ChannelOptions): Channel {
  const timeout = opts.timeoutMs ?? 30_000;
  let origin: string;
  try {
    origin = new URL(settings.url).origin;
  } catch {
    origin = '(invalid URL)';
  }
  const what = `webhook ${settings.name} (${origin})`;
  return {
    name: settings.name,
    async send(m) {
      const headers = m.id === undefined ? settings.headers : { ...settings.headers, 'Idempotency-Key': m.id };
      await postJson(settings.url, webhookBody(settings.format, m), { what, timeoutMs: timeout, clock: opts.clock, userAgent: opts.userAgent ?? 'pillarboard-reports', headers });
    },
  };
}

/**
 * POSTs `body` as JSON within `timeoutMs` (on the runtime's clock), following no redirect; an
 * unreachable receiver, a timeout or a non-2xx answer throws one line naming `what` (and the
 * start of the answer's text). The webhook channels of reports and notifications share it.
 */
export async function postJson(
  url: string,
  body: unknown,
  o: { what: string; timeoutMs: number; clock: ChannelOptions['clock']; userAgent: string; headers?: Record<string, string> },
): Promise<void> {
  let res: Response;
  const deadline = timeoutSignal(o.clock, o.timeoutMs);
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': o.userAgent, ...o.headers },
      body: JSON.stringify(body),
      signal: deadline.signal,
      redirect: 'error',
    });
  } catch (err) {
    deadline.cancel();
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new Error(`${o.what} could not be reached: ${why}`);
  }
  const text = await res.text().catch(() => '').finally(deadline.cancel);
  if (!res.ok) throw new Error(`${o.what} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`);
}
