// The request tree of the Request page: plain node, no browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_ID, buildChain, countCalls, parentOf } from './chain.js';

const line = (request_id, action, message, outcome = 'ok') => ({ request_id, action, message, outcome, level: 'info' });

test('parents are everything before the last dot', () => {
  assert.equal(parentOf('abc'), '');
  assert.equal(parentOf('abc.2'), 'abc');
  assert.equal(parentOf('abc.2.11'), 'abc.2');
});

test('ids are hex digits and dots', () => {
  assert.ok(REQUEST_ID.test('00ff00ff00ff00ff.1.2'));
  for (const bad of ['', 'ABC', 'abc-1', 'abc/1', 'a'.repeat(201), 'x']) assert.ok(!REQUEST_ID.test(bad), bad);
});

test('chained calls hang under their parents in call order', () => {
  const { root, orphans } = buildChain('abc', [
    line('abc', 'front', 'root'),
    line('abc.10', 'mid', 'ten'),
    line('abc.2', 'mid', 'two'),
    line('abc.2.1', 'back', 'grandchild', 'timeout'),
    line('abc', 'front', 'root again'),
    line('zzz', 'other', 'not part of it'),
  ]);
  assert.deepEqual(root.lines.map((l) => l.message), ['root', 'root again']);
  assert.deepEqual(root.actions, ['front']);
  assert.deepEqual(root.children.map((c) => c.id), ['abc.2', 'abc.10']);
  assert.deepEqual(root.children[0].children.map((c) => c.id), ['abc.2.1']);
  assert.deepEqual(root.children[0].children[0].outcomes, ['timeout']);
  assert.equal(countCalls(root), 4);
  assert.deepEqual(orphans.map((l) => l.message), ['not part of it']);
});

test('a call without lines of its own still holds its children', () => {
  const { root } = buildChain('abc', [line('abc.1.1', 'back', 'deep')]);
  assert.equal(root.lines.length, 0);
  assert.equal(root.children.length, 1);
  assert.equal(root.children[0].id, 'abc.1');
  assert.equal(root.children[0].lines.length, 0);
  assert.equal(root.children[0].children[0].lines[0].message, 'deep');
});

test('a caller that logged nothing is named by its callees', () => {
  const { root } = buildChain('abc', [line('abc.1', 'back', 'called by "front" (request abc): 200 in 1.3 ms')]);
  assert.deepEqual(root.actions, ['front']);
  assert.equal(root.inferred, true);
  const other = buildChain('abc', [line('abc.1', 'back', 'called by "front" (request xyz): 200')]);
  assert.deepEqual(other.root.actions, [], 'only a line that names this very request counts');
});

test('hostile answers do not throw', () => {
  assert.equal(buildChain('abc', null).root.children.length, 0);
  assert.equal(buildChain('abc', [null, 5, { request_id: 7 }, {}]).root.lines.length, 0);
  const deep = Array.from({ length: 2000 }, (_, i) => 'abc' + '.1'.repeat(i + 1));
  const { root } = buildChain('abc', deep.map((id) => line(id, 'a', 'm')));
  assert.equal(countCalls(root), 2001);
});
