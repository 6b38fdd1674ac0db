import supertest from 'supertest';
import { assertConforms } from './api-contract.js';

/**
 * supertest, with every response checked against the OpenAPI document before the test's own
 * expectations run (test/support/api-contract.ts): a status, content type or body the
 * document does not describe fails the test that received it. API tests import `request`
 * from here instead of from supertest; use `unchecked` only for a request meant to break the
 * contract (the test that proves the check can fail).
 */

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
type Target = Parameters<typeof supertest>[0];

function checked(target: Target): ReturnType<typeof supertest> {
  const agent = supertest(target);
  return new Proxy(agent, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof prop !== 'string' || !METHODS.has(prop) || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) => {
        const test = (value as (...a: unknown[]) => supertest.Test).call(obj, url, ...rest);
        return test.expect((res: supertest.Response) => {
          assertConforms({
            method: prop,
            url,
            status: res.status,
            contentType: res.headers['content-type'] as string | undefined,
            text: typeof res.text === 'string' ? res.text : undefined,
          });
        });
      };
    },
  });
}

// supertest's types under the same names, so `request.Response` reads as before.
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace checked {
  type Response = supertest.Response;
  type Test = supertest.Test;
}

export default checked;
export const unchecked = supertest;

/**
 * `fetch` against a running server (a spawned `pillarboard serve`), with the answer checked
 * against the OpenAPI document as `request` checks supertest's. The body of an event stream is
 * not read (it never ends); its status and content type are checked.
 */
export async function checkedFetch(url: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  const contentType = res.headers.get('content-type') ?? undefined;
  const streaming = contentType?.startsWith('text/event-stream') ?? false;
  const binary = contentType?.startsWith('application/pdf') ?? false;
  const text = streaming || binary ? undefined : await res.clone().text();
  assertConforms({ method: init?.method ?? 'get', url: new URL(url).pathname, status: res.status, contentType, text });
  return res;
}
