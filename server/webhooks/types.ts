import type { OperationalEvent } from '../../collectors/types.js';
import type { OperationsSettings, StoredEvent } from '../events/types.js';

/** What a payload mapper may consult besides the payload: settings, and events already stored. */
export interface MapContext {
  settings: OperationsSettings;
  /** The stored event of this provider's source with that external id (to keep a start, enrich commits). */
  lookup(externalId: string): Promise<StoredEvent | undefined>;
}

/** A delivery turned into events to store, or the reason it is ignored (answered 202, nothing stored). */
export type MapResult = { events: OperationalEvent[] } | { ignored: string };

/** A payload that lacks or mangles a field the mapping needs: answered 400 naming `field`. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly where: 'body' | 'header' = 'body',
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The headers a mapper may read, lower-cased names (node's `req.headers`). */
export type Headers = Record<string, string | string[] | undefined>;

/**
 * One webhook provider: how its deliveries are authenticated and turned into events. The route
 * treats every provider alike; adding one is a module implementing this plus a line in index.ts.
 */
export interface WebhookProvider<C> {
  /** URL segment and event `source`: POST /api/webhooks/<name>. */
  name: string;
  /** How the API document describes its route (server/api/contract/events.ts). */
  describe: { title: string; signatureHeader: string; records: string };
  /** The provider's settings, or undefined when it is not configured (the route answers 404). */
  config(settings: OperationsSettings): C | undefined;
  /**
   * The checks that need no body (the signature header is present and well-formed; a token
   * compared whole), run before a byte of the body is read, so unsigned traffic costs no memory.
   * Undefined when they pass; otherwise the reason (401).
   */
  verifyHeaders(headers: Headers, config: C): { header: string; reason: string } | undefined;
  /** Undefined when authentic; otherwise the reason (401). `header` names what was checked. */
  verify(body: Buffer, headers: Headers, config: C): { header: string; reason: string } | undefined;
  /** Largest body accepted, in bytes (413 beyond); default WEBHOOK_BODY_LIMIT_BYTES. */
  maxBodyBytes?: number;
  /** The delivery → events; throws (or rejects with) PayloadError for a malformed payload. Async when it consults stored events. */
  map(payload: unknown, headers: Headers, config: C, ctx: MapContext): MapResult | Promise<MapResult>;
}
