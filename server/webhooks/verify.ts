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

const GITHUB_SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * GitHub, before the body is read: the signature header is present and well-formed. A request
 * failing this is refused without reading a byte of its body.
 */
export function checkGithubSignatureHeader(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return 'the X-Hub-Signature-256 header is missing (set a secret on the GitHub webhook)';
  if (!GITHUB_SIGNATURE.test(header.trim())) return 'the X-Hub-Signature-256 header is not "sha256=<64 hex digits>"';
  return undefined;
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the webhook secret>`. */
export function checkGithubSignature(body: Buffer, header: string | undefined, secret: string): string | undefined {
  const problem = checkGithubSignatureHeader(header);
  if (problem) return problem;
  const m = GITHUB_SIGNATURE.exec(header!.trim())!;
  return sameBytes(Buffer.from(m[1]!, 'hex'), hmacHex(secret, body)) ? undefined : 'the X-Hub-Signature-256 signature does not match the body and the configured secret';
}

/** GitLab: `X-Gitlab-Token` carries the configured secret token itself. */
export function checkGitlabToken(header: string | undefined, token: string): string | undefined {
  if (header === undefined || header === '') return 'the X-Gitlab-Token header is missing (set a secret token on the GitLab webhook)';
  return sameText(header, token) ? undefined : 'the X-Gitlab-Token does not match the configured token';
}

const PAGERDUTY_SIGNATURE = /^v1=([0-9a-fA-F]{64})$/;

/** PagerDuty, before the body is read: the header is present and carries at least one v1 signature. */
export function checkPagerdutySignatureHeader(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return 'the X-PagerDuty-Signature header is missing';
  if (!header.split(',').some((part) => PAGERDUTY_SIGNATURE.test(part.trim()))) {
    return 'the X-PagerDuty-Signature header has no "v1=<64 hex digits>" signature';
  }
  return undefined;
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
    const m = PAGERDUTY_SIGNATURE.exec(part.trim());
    if (!m) continue;
    versioned++;
    // No early exit: every candidate is compared, so timing does not reveal which one matched.
    if (sameBytes(Buffer.from(m[1]!, 'hex'), expected)) matched = true;
  }
  if (versioned === 0) return 'the X-PagerDuty-Signature header has no "v1=<64 hex digits>" signature';
  return matched ? undefined : 'no X-PagerDuty-Signature signature matches the body and the configured secret';
}

/** The credential a receiver expects, as Alertmanager's `http_config` sends it. */
export interface HttpCredential {
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
}

/**
 * `Authorization: Bearer <token>` or `Authorization: Basic <base64(user:password)>`, whichever
 * is configured (either when both are). The scheme is case-insensitive (RFC 9110); the
 * credential is compared whole, in constant time.
 */
export function checkHttpAuthorization(header: string | undefined, expected: HttpCredential): string | undefined {
  const schemes = [expected.bearerToken !== undefined && 'Bearer', expected.basicAuth !== undefined && 'Basic'].filter(Boolean).join(' or ');
  if (header === undefined || header.trim() === '') return `the Authorization header is missing (set ${schemes} credentials in the receiver's http_config)`;
  const m = /^(\S+)\s+(\S+)\s*$/.exec(header.trim());
  const scheme = m?.[1]!.toLowerCase();
  if (m && scheme === 'bearer' && expected.bearerToken !== undefined) {
    return sameText(m[2]!, expected.bearerToken) ? undefined : 'the bearer token does not match the configured token';
  }
  if (m && scheme === 'basic' && expected.basicAuth !== undefined) {
    const want = Buffer.from(`${expected.basicAuth.username}:${expected.basicAuth.password}`, 'utf8').toString('base64');
    return sameText(m[2]!, want) ? undefined : 'the basic-auth user name or password does not match the configured ones';
  }
  return `the Authorization header is not ${schemes} credentials`;
}
