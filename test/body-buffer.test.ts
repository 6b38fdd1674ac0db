import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyBuffer } from '../server/workers/body-buffer.js';

test('a body buffer holds every piece put since reset as UTF-8, growing past its first size', () => {
  const b = new BodyBuffer(8);
  b.put('{"a":');
  b.put(JSON.stringify('zürich ✓ 𝄞'));
  b.put(',"n":' + 'x'.repeat(100) + '}');
  const expected = '{"a":"zürich ✓ 𝄞","n":' + 'x'.repeat(100) + '}';
  assert.equal(b.view().toString('utf8'), expected);
  assert.equal(b.view().length, Buffer.byteLength(expected));
  b.reset().put('next');
  assert.equal(b.view().toString('utf8'), 'next', 'reset starts a new body');
});

test('a body buffer grown past its keep size gives the memory back on the next reset', () => {
  const b = new BodyBuffer(16, 1024);
  b.put('y'.repeat(5000));
  const big = b.view();
  assert.equal(big.length, 5000);
  assert.ok(big.buffer.byteLength >= 5000);
  b.reset().put('z');
  assert.ok(b.view().buffer.byteLength < 1024, `capacity ${b.view().buffer.byteLength}`);
  assert.equal(big.toString('latin1'), 'y'.repeat(5000), 'a view taken before reset keeps its bytes when the memory is given back');
});
