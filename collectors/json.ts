import type { CollectorDefinition } from './types.js';
import { resolveTls } from './config-schemas.js';
import { jsonConfig, type JsonConfig } from './json-config.js';
import { fetchPages, maskQuery } from './json-pages.js';
import { Extractor } from './json-extract.js';

/**
 * `json`: reads business figures from a JSON API (a SaaS's REST API, an internal service's
 * stats endpoint) with GET, or POST and a JSON body, following its pagination, and picks
 * samples with JSONPath: `items` finds the list, `value`, `labels` and `timestamp` are read
 * from each item.
 *
 * Failure contract: the run fails, storing nothing, when a page cannot be read (down,
 * timeout, TLS, non-2xx, over `max_body_bytes`), is not JSON, when pagination goes past its
 * caps or loops, and when a path finds something of the wrong kind. A missing value fails it
 * too, unless `on_missing: skip` (then a warning counts the items left out). All or nothing,
 * because half the pages of a count would be a wrong count.
 */
export const json: CollectorDefinition<JsonConfig> = {
  type: 'json',
  description: 'Reads numbers from a JSON API (GET or POST), following its pagination, picked with JSONPath.',
  defaultInterval: '60s',
  config: jsonConfig,
  async collect(config, ctx) {
    const tls = await resolveTls(config.tls);
    const extractor = new Extractor(config, ctx.collectorId, ctx.now.getTime());
    try {
      for await (const page of fetchPages(config, ctx.signal, tls)) extractor.page(page.doc, page.number);
    } catch (err) {
      throw maskQuery(err, config.query);
    }
    const { samples, warnings } = extractor.result();
    return warnings.length > 0 ? { samples, warnings } : { samples };
  },
};
