import test from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../src/store.js';

test('the store keeps the todos and tells its listeners', () => {
  const store = createStore();
  const seen = [];
  store.subscribe((todos) => seen.push(todos.length));
  store.set([{ id: 1, title: 'a', done: false }]);
  assert.equal(store.todos.length, 1);
  assert.deepEqual(seen, [1]);
});

test('every registered feature can set itself up', async () => {
  const { features } = await import('../src/features/index.js');
  for (const feature of features) assert.equal(typeof feature.setup, 'function');
});
