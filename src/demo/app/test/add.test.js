import test from 'node:test';
import assert from 'node:assert/strict';
import { addTodo } from '../src/features/add.js';

test('adds an open todo with the next id', () => {
  const one = addTodo([], '  Buy milk ');
  assert.deepEqual(one, [{ id: 1, title: 'Buy milk', done: false }]);
  assert.equal(addTodo(one, 'Call Ada')[1].id, 2);
});

test('ignores blank titles', () => {
  assert.deepEqual(addTodo([], '   '), []);
});
