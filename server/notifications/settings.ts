import type { EmailSettings, WebhookSettings } from '../reports/settings.js';
import type { Status } from '../scoring/types.js';
import type { QuietWindow } from './quiet.js';

/**
 * The `notifications:` section of the workload file as the loader produces it (durations in
 * ms, camelCase; server/workload/sections/notifications.ts). Declared here, beside the code
 * that reads it, as reports/settings.ts is.
 */

export const SUBJECT_KINDS = ['outcome', 'pillar', 'indicator'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

export interface NotificationRule {
  id: string;
  /** Ids watched per kind; `['*']` = every one of that kind; empty = none. */
  outcomes: string[];
  pillars: string[];
  indicators: string[];
  /** The statuses that notify (default warning and critical). */
  statuses: Status[];
  /** How long a subject must stay in one of `statuses` before the first message (flapping is damped). */
  forMs: number;
  /** While it stays there, a reminder this often; absent: none. */
  repeatMs?: number;
  /** Send a message when it leaves `statuses` after a message was sent. */
  recovery: boolean;
  /** Names of `channels`. */
  channels: string[];
  /** Hold its messages during `quietHours` (false: send at once, e.g. for pages). */
  quietHours: boolean;
}

export type NotificationChannelSettings =
  | { name: string; type: 'email'; email: EmailSettings }
  | { name: string; type: 'webhook'; webhook: WebhookSettings }
  | { name: string; type: 'alertmanager'; url: string; headers: Record<string, string> };

export interface NotificationSettings {
  /** Public URL of this Pillarboard: messages link to the dashboard page of what changed. */
  baseUrl?: string;
  channels: NotificationChannelSettings[];
  rules: NotificationRule[];
  /** Waits between delivery attempts: n delays give n + 1 attempts per channel. */
  retryDelaysMs: number[];
  /** Windows, in the workload's time zone, during which messages are held until the window ends. */
  quietHours: QuietWindow[];
}
