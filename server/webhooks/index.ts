import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { pagerduty } from './pagerduty.js';
import { alertmanager } from './alertmanager.js';
import type { WebhookProvider } from './types.js';

/** Each provider's config type is its own; the route only passes a provider's config back to it. */
export type AnyWebhookProvider = WebhookProvider<any>;

/** Every webhook provider; POST /api/webhooks/<name> exists for each. Adding one is a module plus a line here. */
export const webhookProviders: readonly AnyWebhookProvider[] = [github, gitlab, pagerduty, alertmanager];

export { PayloadError, type MapContext, type MapResult, type WebhookProvider } from './types.js';
export { checkGithubSignature, checkGitlabToken, checkPagerdutySignature } from './verify.js';
export { parseProviderTime } from './payload.js';
