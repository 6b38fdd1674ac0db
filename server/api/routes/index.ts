import { Router } from 'express';
import type { AppDeps } from '../deps.js';

/**
 * The root page. Until the wall-screen dashboard lands it lists what the server offers,
 * so a person opening http://host:8080/ sees where to go.
 */
export function indexRoute(deps: AppDeps): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    const w = deps.workload();
    const links = [
      ['/api/collectors', 'collectors and their last runs'],
      ['/api/series?match={__name__=~".%2B"}', 'every stored series'],
      ['/api/workload', 'the active workload (secrets redacted)'],
      ['/api/workload/versions', 'every applied workload version'],
      ['/metrics', 'Prometheus metrics'],
      ['/readyz', 'readiness'],
    ];
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pillarboard</title>
</head>
<body><h1>Pillarboard ${deps.version}</h1><p>Workload: ${w ? escapeHtml(String((w.redacted() as { workload?: { title?: string } }).workload?.title ?? '')) : 'not loaded'}</p>
<ul>${links.map(([href, text]) => `<li><a href="${href}">${href!.split('?')[0]}</a> — ${text}</li>`).join('')}</ul></body></html>`);
  });
  return r;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
