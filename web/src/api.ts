import { noteServerDate } from './clock.js';

/**
 * Reads from Pillarboard's API. Adds the read token from the page URL (`?token=`), bounds
 * every request with a timeout, and turns failures into ApiError with a sentence that says
 * what went wrong (the problem+json `detail` when the server sent one). While the page is
 * hidden nothing is fetched: a request waits until the page is visible again.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, or null when the server could not be reached. */
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let token: string | null = null;
export const setToken = (t: string | null): void => {
  token = t;
};

/** An API URL with the token added. */
export function apiUrl(path: string, query: Record<string, string> = {}): string {
  const q = new URLSearchParams(query);
  if (token) q.set('token', token);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function whenVisible(): Promise<void> {
  if (!document.hidden) return Promise.resolve();
  return new Promise((resolve) => {
    const on = () => {
      if (document.hidden) return;
      document.removeEventListener('visibilitychange', on);
      resolve();
    };
    document.addEventListener('visibilitychange', on);
  });
}

export async function getJson(path: string, query: Record<string, string> = {}, timeoutMs = 10_000): Promise<unknown> {
  await whenVisible();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const sentAt = Date.now();
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { headers: { Accept: 'application/json' }, cache: 'no-store', signal: controller.signal });
  } catch (err) {
    clearTimeout(timer);
    const timedOut = (err as Error).name === 'AbortError';
    throw new ApiError(timedOut ? `no answer from ${path} within ${timeoutMs / 1000} s` : `cannot reach Pillarboard (${path})`, null);
  }
  try {
    noteServerDate(res.headers.get('date'), sentAt, Date.now());
    const text = await res.text();
    if (!res.ok) throw new ApiError(problemMessage(res.status, text, path), res.status);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiError(`${path} answered with something that is not JSON`, res.status);
    }
  } finally {
    clearTimeout(timer);
  }
}

function problemMessage(status: number, text: string, path: string): string {
  try {
    const p = JSON.parse(text) as { title?: unknown; detail?: unknown };
    const title = typeof p.title === 'string' ? p.title : `HTTP ${status}`;
    return typeof p.detail === 'string' ? `${title}: ${p.detail}` : `${title} (${path})`;
  } catch {
    return `${path} answered HTTP ${status}`;
  }
}
