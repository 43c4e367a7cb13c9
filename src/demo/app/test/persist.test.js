import test from 'node:test';
import assert from 'node:assert/strict';
import { loadTodos, saveTodos } from '../src/features/persist.js';

function fakeStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
}

test('saved todos load again', () => {
  const storage = fakeStorage();
  const todos = [{ id: 1, title: 'Buy milk', done: false }];
  saveTodos(storage, todos);
  assert.deepEqual(loadTodos(storage), todos);
});

test('junk in storage loads as an empty list', () => {
  const storage = fakeStorage();
  storage.setItem('demo-todos', '{not json');
  assert.deepEqual(loadTodos(storage), []);
  storage.setItem('demo-todos', '{"a":1}');
  assert.deepEqual(loadTodos(storage), []);
});
