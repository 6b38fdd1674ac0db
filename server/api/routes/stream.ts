import { Router } from 'express';
import type { TokenInfo } from '../../auth/tokens.js';
import type { AppDeps } from '../deps.js';
import { StreamHub, DEFAULT_STREAM_HUB_OPTIONS, type StreamHubOptions } from '../streamHub.js';
import { summaryJson } from './evaluation.js';

/**
 * `GET /api/stream`: Server-Sent Events. Sends the summary at once (`event: summary`), then
 * after every evaluation, every change of the workload file's reload status and of the
 * notifications' status (a delivery attempt, a silence added or expired); a comment line
 * every 15 s keeps proxies from closing the stream. Browsers reconnect by themselves
 * (`retry: 5000`). A stream opened with a token closes with `event: revoked` within a second of
 * the token's revocation (see streamHub.ts).
 */
export function streamRoute(deps: AppDeps, options: StreamHubOptions = DEFAULT_STREAM_HUB_OPTIONS): Router {
  const hub = new StreamHub(
    {
      evaluation: deps.evaluation,
      // A refused reload (or the fix after it) changes the summary without an evaluation.
      workloadStatus: deps.onWorkloadStatus,
      // A delivery attempt recorded or a silence changed changes the summary's notifications part.
      notificationStatus: deps.notifications ? (fn) => deps.notifications!.subscribe(fn) : undefined,
      tokens: deps.tokens,
      summaryJson: () => summaryJson(deps),
      log: deps.log,
      clock: deps.clock,
    },
    options,
  );
  const r = Router();
  r.get('/api/stream', (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 5000\n\n');
    const remove = hub.add(res, res.locals.token as TokenInfo | undefined);
    req.on('close', remove);
  });
  return r;
}
