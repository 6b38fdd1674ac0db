/**
 * Client-side routes. Every page has a real URL (the server answers index.html for all of
 * them), so a refresh or a bookmark of a drill-down shows the same page.
 */
export type Route =
  | { name: 'overview' }
  | { name: 'pillar'; id: string }
  | { name: 'outcome'; id: string }
  | { name: 'indicator'; id: string }
  | { name: 'review'; pillar: string | null }
  | { name: 'reports' }
  | { name: 'notifications' }
  | { name: 'not_found'; path: string };

export function parseRoute(pathname: string, search = ''): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/index.html') return { name: 'overview' };
  if (path === '/review') return { name: 'review', pillar: new URLSearchParams(search).get('pillar') || null };
  if (path === '/reports') return { name: 'reports' };
  if (path === '/notifications') return { name: 'notifications' };
  const m = /^\/(pillars|outcomes|indicators)\/([^/]+)$/.exec(path);
  if (m) {
    let id: string;
    try {
      id = decodeURIComponent(m[2]!);
    } catch {
      return { name: 'not_found', path };
    }
    return { name: ({ pillars: 'pillar', outcomes: 'outcome', indicators: 'indicator' } as const)[m[1] as 'pillars' | 'outcomes' | 'indicators'], id };
  }
  return { name: 'not_found', path };
}
