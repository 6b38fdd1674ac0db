import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signature checks for webhook deliveries, each over the raw request bytes and in constant
 * time (an attacker timing the comparison learns nothing about the expected value).
 * Each returns undefined when the delivery is authentic, or why it is not.
 */

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two strings of any length in constant time: their SHA-256 digests have equal length. */
function sameText(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

const hmacHex = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest();

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the webhook secret>`. */
export function checkGithubSignature(body: Buffer, header: string | undefined, secret: string): string | undefined {
  if (header === undefined || header === '') return 'the X-Hub-Signature-256 header is missing (set a secret on the GitHub webhook)';
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return 'the X-Hub-Signature-256 header is not "sha256=<64 hex digits>"';
  return sameBytes(Buffer.from(m[1]!, 'hex'), hmacHex(secret, body)) ? undefined : 'the X-Hub-Signature-256 signature does not match the body and the configured secret';
}

/** GitLab: `X-Gitlab-Token` carries the configured secret token itself. */
export function checkGitlabToken(header: string | undefined, token: string): string | undefined {
  if (header === undefined || header === '') return 'the X-Gitlab-Token header is missing (set a secret token on the GitLab webhook)';
  return sameText(header, token) ? undefined : 'the X-Gitlab-Token does not match the configured token';
}

/**
 * PagerDuty v3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]` — several while a secret is being
 * rotated; the delivery is authentic when any v1 signature matches.
 */
export function checkPagerdutySignature(body: Buffer, header: string | undefined, secret: string): string | undefined {
  if (header === undefined || header === '') return 'the X-PagerDuty-Signature header is missing';
  const expected = hmacHex(secret, body);
  let matched = false;
  let versioned = 0;
  for (const part of header.split(',')) {
    const m = /^v1=([0-9a-fA-F]{64})$/.exec(part.trim());
    if (!m) continue;
    versioned++;
    // No early exit: every candidate is compared, so timing does not reveal which one matched.
    if (sameBytes(Buffer.from(m[1]!, 'hex'), expected)) matched = true;
  }
  if (versioned === 0) return 'the X-PagerDuty-Signature header has no "v1=<64 hex digits>" signature';
  return matched ? undefined : 'no X-PagerDuty-Signature signature matches the body and the configured secret';
}
