import type { Paper } from './render-pdf.js';

/**
 * The `reports:` section of the workload file as the loader produces it (durations in ms,
 * camelCase). Declared here, beside the code that reads it, as evaluation/spec.ts is.
 */

export const REPORT_FORMATS = ['json', 'md', 'html', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered. */
  secure: boolean;
  /** Refuse to send unless STARTTLS succeeds. */
  requireTls: boolean;
  auth?: { user: string; password: string };
  tls: { rejectUnauthorized: boolean; servername?: string };
}

export interface EmailSettings {
  smtp: SmtpSettings;
  from: string;
  to: string[];
  cc: string[];
}

export interface WebhookSettings {
  /** Names the channel in the API, the delivery records and /metrics (never the URL, which often holds a token). */
  name: string;
  url: string;
  /** `slack`: `{ text }` with the chat summary; `json`: the whole report. */
  format: 'slack' | 'json';
  headers: Record<string, string>;
}

export interface WeeklyReportSettings {
  enabled: boolean;
  cron: string;
  /** Absent: the workload's time zone. */
  timezone?: string;
  /** Attached to mail and stored besides JSON, Markdown and HTML (which are always stored). */
  formats: ReportFormat[];
  paper: Paper;
  /** Public base URL of this Pillarboard, for links to the archived report in messages. */
  baseUrl?: string;
  email?: EmailSettings;
  webhooks: WebhookSettings[];
  /** Waits between delivery attempts: 3 delays → at most 4 attempts per channel. */
  retryDelaysMs: number[];
}

export interface ReportsSettings {
  weekly: WeeklyReportSettings;
}

export const DEFAULT_CRON = '0 8 * * MON';
