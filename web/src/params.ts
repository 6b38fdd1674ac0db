/**
 * URL parameters (docs/dashboard.md): `kiosk=1`, `rotate=30s`, `theme=dark|light`, `token=…`
 * stay on every link the dashboard makes, so a kiosk URL keeps its mode and its token
 * through navigation and reloads. `range=` belongs to a drill-down page.
 */

export type Theme = 'dark' | 'light';

export interface Params {
  kiosk: boolean;
  /** Rotation period, or null when off. */
  rotateMs: number | null;
  theme: Theme;
  token: string | null;
  /** Parameters that were given but not understood, as sentences for the page to show. */
  problems: string[];
}

export const MIN_ROTATE_MS = 3_000;
const STICKY = ['kiosk', 'rotate', 'theme', 'token'] as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "30s", "2m", "1m30s", "45" (seconds) → ms; null when not a duration. */
export function parseDuration(raw: string): number | null {
  const t = raw.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  return end === t.length && total > 0 ? total : null;
}

const truthy = (v: string | null) => v !== null && !/^(0|false|no|off)$/i.test(v);

export function readParams(search: string): Params {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  let rotateMs: number | null = null;
  const rotate = q.get('rotate');
  if (rotate !== null && rotate !== '' && !/^(0|off|false)$/i.test(rotate)) {
    const ms = parseDuration(rotate);
    if (ms === null) problems.push(`rotate=${rotate} is not a duration (like 30s or 2m): rotation is off`);
    else if (ms < MIN_ROTATE_MS) {
      problems.push(`rotate=${rotate} is too fast: rotating every ${MIN_ROTATE_MS / 1000} s`);
      rotateMs = MIN_ROTATE_MS;
    } else rotateMs = ms;
  }
  const themeRaw = q.get('theme');
  let theme: Theme = 'dark';
  if (themeRaw === 'light' || themeRaw === 'dark') theme = themeRaw;
  else if (themeRaw !== null) problems.push(`theme=${themeRaw} is not dark or light: using dark`);
  const token = q.get('token');
  return { kiosk: truthy(q.get('kiosk')), rotateMs, theme, token: token === '' ? null : token, problems };
}

/** A same-origin link to `path` that keeps the sticky parameters, plus `extra`. */
export function href(path: string, extra: Record<string, string | null> = {}): string {
  const current = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of STICKY) {
    const v = current.get(k);
    if (v !== null) q.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== null) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Sets or removes one parameter of the current URL without a navigation. */
export function replaceParam(name: string, value: string | null): void {
  const url = new URL(location.href);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}
