import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { OperationsSettings } from '../../events/types.js';
import { withoutUnsafeLink } from '../../../collectors/event-shape.js';
import { webhookProviders, PayloadError, type AnyWebhookProvider } from '../../webhooks/index.js';
import type { AppDeps } from '../deps.js';
import { BodyBudget } from '../bodyBudget.js';
import { Problem } from '../problem.js';
import { writeRateLimit } from '../rateLimit.js';
import { answer } from '../contract/route.js';
import { WebhookIgnoredSchema, WebhookRecordedSchema } from '../contract/events.js';

/** Payloads larger than this are refused (413) unless a provider sets its own. GitHub caps deliveries at 25 MB; real ones are far smaller. */
export const WEBHOOK_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/**
 * POST /api/webhooks/<provider> for every provider in server/webhooks/index.ts.
 *
 * Mounted before the app's JSON parser and its read guard: the signature is computed over the
 * exact bytes received, so these routes read the raw body themselves, and providers
 * authenticate with their own secret (from the workload's `operations.webhooks`), not a token.
 * Order of checks: configured (404) → signature header present and well-formed (401, before a
 * byte of the body is read) → body within the provider's cap (413) and the app-wide budget for
 * unauthenticated bodies (503 + Retry-After) → authentic (401, nothing parsed) → well-formed
 * (400) → recorded (200) or ignored (202). Secrets are re-read on every delivery, so a reload applies.
 */
export function webhookRoutes(deps: AppDeps, options: { budget?: BodyBudget } = {}): Router {
  const r = Router();
  const budget = options.budget ?? new BodyBudget();
  // Its own limiter: deliveries come from a provider's few addresses, in bursts (a push to many repos).
  const limit = writeRateLimit({ limit: 3000 });
  for (const provider of webhookProviders) {
    r.post(`/api/webhooks/${provider.name}`, limit, configured(provider, deps), signed(provider, deps), async (req, res) => {
      let read;
      try {
        read = await budget.read(req, provider.maxBodyBytes ?? WEBHOOK_BODY_LIMIT_BYTES);
      } catch (err) {
        // The rest of the body is not read: close the connection rather than drain it.
        res.setHeader('Connection', 'close');
        if (err instanceof Problem && err.status === 503) res.setHeader('Retry-After', '5');
        throw err;
      }
      try {
        await deliver(provider, deps, read.body, req, res);
      } finally {
        read.release();
      }
    });
  }
  return r;
}

/** 401 for a delivery whose signature header is missing or malformed, before its body is read. */
function signed(provider: AnyWebhookProvider, deps: AppDeps): RequestHandler {
  return (req, res, next) => {
    const { config } = res.locals.webhook as Configured;
    const rejected = provider.verifyHeaders(req.headers, config);
    if (!rejected) return next();
    deps.log.warn('webhook delivery rejected', { provider: provider.name, reason: rejected.reason, address: req.ip });
    res.setHeader('Connection', 'close');
    throw unauthentic(rejected);
  };
}

function unauthentic(rejected: { header: string; reason: string }): Problem {
  return new Problem(401, 'invalid-signature', 'Webhook signature rejected', `${rejected.reason}; nothing was stored`, [
    { name: rejected.header, in: 'header', message: rejected.reason },
  ]);
}

interface Configured {
  settings: OperationsSettings;
  config: unknown;
}

/** 503 before a workload is loaded, 404 for a provider it does not configure — before the body is read. */
function configured(provider: AnyWebhookProvider, deps: AppDeps): RequestHandler {
  return (_req, res, next) => {
    const settings = deps.operations();
    if (!settings) throw new Problem(503, 'not-ready', 'No workload loaded', 'the server has not loaded a valid workload yet');
    const config: unknown = provider.config(settings);
    if (config === undefined) {
      throw new Problem(
        404,
        'webhook-not-configured',
        'Webhook not configured',
        `the ${provider.name} webhook is not configured: add operations.webhooks.${provider.name} to the workload file`,
      );
    }
    res.locals.webhook = { settings, config } satisfies Configured;
    next();
  };
}

async function deliver(provider: AnyWebhookProvider, deps: AppDeps, body: Buffer, req: Request, res: Response): Promise<void> {
  const { settings, config } = res.locals.webhook as Configured;
  const rejected = provider.verify(body, req.headers, config);
  if (rejected) {
    deps.log.warn('webhook delivery rejected', { provider: provider.name, reason: rejected.reason, address: req.ip });
    throw unauthentic(rejected);
  }
  const payload = decode(body, req.get('content-type'));
  let result;
  try {
    result = await provider.map(payload, req.headers, config, {
      settings,
      lookup: (externalId) => deps.events.getEvent(provider.name, externalId),
    });
  } catch (err) {
    if (!(err instanceof PayloadError)) throw err;
    throw new Problem(400, 'invalid-payload', `Invalid ${provider.name} payload`, `${err.field}: ${err.reason}; nothing was stored`, [
      { name: err.field, in: err.where, message: err.reason },
    ]);
  }
  if ('ignored' in result) {
    res.status(202).json(answer(WebhookIgnoredSchema, { ignored: result.ignored }));
    return;
  }
  const events = result.events.map(withoutUnsafeLink);
  const stored = await deps.events.upsertEvents(events);
  deps.log.debug('webhook delivery recorded', { provider: provider.name, events: result.events.length, ...stored, ids: undefined });
  res.json(
    answer(WebhookRecordedSchema, {
      inserted: stored.inserted,
      updated: stored.updated,
      skipped: stored.skipped ?? 0,
      events: events.map((e) => ({ kind: e.kind, source: e.source, id: e.externalId })),
    }),
  );
}

/** The delivery's JSON: the body itself, or GitHub's form encoding (`payload=<json>`). */
function decode(body: Buffer, contentType: string | undefined): unknown {
  let text = body.toString('utf8');
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw malformed('a form-encoded delivery needs a "payload" field');
    text = payload;
  }
  if (text.trim() === '') throw malformed('the body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw malformed((err as Error).message);
  }
}

const malformed = (message: string) =>
  new Problem(400, 'malformed-body', 'Malformed JSON body', `${message}; nothing was stored`, [{ name: 'body', in: 'body', message }]);
