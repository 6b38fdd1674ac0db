import assert from 'node:assert/strict';
import { test } from 'node:test';
import { substituteEnv, substituteString } from '../server/workload/index.js';

test('substituteString replaces ${VAR} with the variable', () => {
  assert.deepEqual(substituteString('http://${HOST}:${PORT}/x', { HOST: 'h', PORT: '9090' }), {
    value: 'http://h:9090/x',
    referenced: true,
    errors: [],
  });
});

test('substituteString uses the ${VAR:-default} default when the variable is unset or empty', () => {
  assert.equal(substituteString('${A:-fallback}', {}).value, 'fallback');
  assert.equal(substituteString('${A:-fallback}', { A: '' }).value, 'fallback');
  assert.equal(substituteString('${A:-fallback}', { A: 'set' }).value, 'set');
  assert.equal(substituteString('${A:-}', {}).value, '');
  assert.equal(substituteString('${A:-http://x:1/a}', {}).value, 'http://x:1/a');
});

test('substituteString keeps an empty variable empty when there is no default', () => {
  assert.deepEqual(substituteString('[${A}]', { A: '' }), { value: '[]', referenced: true, errors: [] });
});

test('substituteString treats $${ as a literal ${ and a lone $ as a literal $', () => {
  assert.deepEqual(substituteString('cost $5, $${NOT_A_VAR}', {}), { value: 'cost $5, ${NOT_A_VAR}', referenced: false, errors: [] });
});

test('substituteString reports an unset variable by name', () => {
  assert.deepEqual(substituteString('${PROM_PASSWORD}', {}).errors, ['environment variable PROM_PASSWORD is not set']);
});

test('substituteString reports a malformed or unterminated reference', () => {
  assert.match(substituteString('${1BAD}', {}).errors[0]!, /invalid reference "\$\{1BAD\}"/);
  assert.match(substituteString('${}', {}).errors[0]!, /invalid reference/);
  assert.match(substituteString('abc ${OPEN', {}).errors[0]!, /unterminated "\$\{"/);
});

test('substituteEnv resolves string values only, records their paths and leaves keys alone', () => {
  const doc = { '${K}': 'x', a: [{ b: '${B}' }, 3, true, null], c: { d: 'plain' } };
  const r = substituteEnv(doc, { B: 'bee', K: 'kay' });
  assert.deepEqual(r.value, { '${K}': 'x', a: [{ b: 'bee' }, 3, true, null], c: { d: 'plain' } });
  assert.deepEqual(r.secretPaths, [['a', 0, 'b']]);
  assert.deepEqual(r.issues, []);
});

test('substituteEnv reports each missing variable at its value path', () => {
  const r = substituteEnv({ collectors: [{ auth: { password: '${PW}' } }] }, {});
  assert.deepEqual(r.issues, [{ path: ['collectors', 0, 'auth', 'password'], message: 'environment variable PW is not set' }]);
});

test('substituteEnv keeps a key named __proto__ as a plain key', () => {
  const doc = JSON.parse('{"__proto__": {"polluted": "yes"}}') as unknown;
  const r = substituteEnv(doc, {});
  assert.deepEqual(Object.keys(r.value as object), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((r.value as Record<string, unknown>).polluted, undefined);
});
