import { z } from 'zod';
import type { OperationalEvent } from '../../collectors/types.js';
import type { OperationsSettings } from '../events/types.js';
import { compileMatcher } from '../store/selector.js';
import { formatPath } from '../validation/path.js';
import { defined, optionalText, read, time } from './payload.js';
import { PayloadError } from './types.js';
import { checkHttpAuthorization } from './verify.js';
import type { WebhookProvider } from './types.js';

/**
 * Prometheus Alertmanager's webhook receiver (payload version "4"): every alert in a delivery
 * that matches one of the configured `match` selectors (all alerts when none are set) upserts an
 * incident. A firing alert is open from `startsAt`; a resolved one ends at `endsAt`.
 *
 * The incident's id is the alert's fingerprint with its start (`<fingerprint>@<startsAt ms>`):
 * Alertmanager re-sends a firing alert every `repeat_interval` and once more when it resolves,
 * all with the same fingerprint and start, so those deliveries update one incident; the same
 * alert firing again after it resolved has a new start and is a new incident, as DORA's time to
 * restore and change failure rate need. `observedAt` is the start for a firing delivery and the
 * end for a resolved one, so a firing delivery that arrives after the resolution is skipped.
 */

type Config = NonNullable<OperationsSettings['webhooks']['alertmanager']>;

const alert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).nullish(),
  startsAt: time,
  generatorURL: optionalText,
  fingerprint: z.string().regex(/^[0-9a-f]{1,32}$/i, { message: 'expected the alert fingerprint (hex)' }),
});

const envelope = z.looseObject({
  version: z.string(),
  externalURL: optionalText,
  alerts: z.array(z.unknown()),
});

export const alertmanager: WebhookProvider<Config> = {
  name: 'alertmanager',
  describe: { title: 'Prometheus Alertmanager', signatureHeader: 'Authorization', records: 'webhook receiver alerts (version 4)' },
  config: (settings) => settings.webhooks.alertmanager,
  verifyHeaders(headers, config) {
    const raw = headers['authorization'];
    const reason = checkHttpAuthorization(Array.isArray(raw) ? raw[0] : raw, config);
    return reason === undefined ? undefined : { header: 'Authorization', reason };
  },
  // The credential is compared whole before the body is read (verifyHeaders); nothing to check over the bytes.
  verify: () => undefined,
  map(payload, _headers, config) {
    // Whether an alert is used is decided on its labels alone: an alert that is not selected is
    // skipped whatever else it lacks.
    const head = read(envelope, payload);
    if (head.version !== '4') throw new PayloadError('version', `expected "4" (Alertmanager's webhook payload), got "${head.version}"`);
    const matchers = config.match.map((set) => set.map((m) => ({ label: m.label, test: compileMatcher(m) })));
    const events: OperationalEvent[] = [];
    head.alerts.forEach((_, i) => {
      const at = (schema: z.ZodType<unknown>) => within(['alerts', i], schema, head.alerts[i]);
      const { labels } = at(z.looseObject({ labels: z.record(z.string(), z.string()) })) as { labels: Record<string, string> };
      if (matchers.length > 0 && !matchers.some((set) => set.every((m) => m.test(labels[m.label] ?? '')))) return;
      const a = at(alert) as z.infer<typeof alert>;
      const resolved = a.status === 'resolved';
      const endedAt = resolved ? (at(z.looseObject({ endsAt: time })) as { endsAt: number }).endsAt : undefined;
      const e: OperationalEvent = {
        kind: 'incident',
        source: 'alertmanager',
        externalId: `${a.fingerprint}@${a.startsAt}`,
        startedAt: a.startsAt,
        status: resolved ? 'resolved' : 'open',
        attrs: defined({
          severity: labels[config.severityLabel],
          alertname: labels['alertname'],
          fingerprint: a.fingerprint,
          url: a.generatorURL ?? head.externalURL,
          observedAt: endedAt ?? a.startsAt,
        }),
      };
      const service = labels[config.serviceLabel] ?? labels['job'];
      if (service) e.service = service;
      const environment = labels[config.environmentLabel];
      if (environment) e.environment = environment;
      const title = a.annotations?.['summary'] ?? labels['alertname'];
      if (title) e.title = title;
      if (endedAt !== undefined) e.endedAt = Math.max(endedAt, a.startsAt);
      events.push(e);
    });
    if (events.length === 0) {
      return { ignored: head.alerts.length === 0 ? 'the delivery carries no alerts' : 'no alert in the delivery matches operations.webhooks.alertmanager.match' };
    }
    return { events };
  },
};

/** `read` of a part of the payload, its errors naming the field from the top (`alerts[2].startsAt`). */
function within(prefix: Array<string | number>, schema: z.ZodType<unknown>, value: unknown): unknown {
  try {
    return read(schema, value);
  } catch (err) {
    if (!(err instanceof PayloadError)) throw err;
    const base = formatPath(prefix);
    throw new PayloadError(err.field === 'body' ? base : `${base}${err.field.startsWith('[') ? '' : '.'}${err.field}`, err.reason);
  }
}
