import test from 'node:test';
import assert from 'node:assert/strict';
import { toggleTodo } from '../src/features/complete.js';

const todos = [
  { id: 1, title: 'a', done: false },
  { id: 2, title: 'b', done: false },
];

test('toggles only the given todo', () => {
  const once = toggleTodo(todos, 1);
  assert.equal(once[0].done, true);
  assert.equal(once[1].done, false);
  assert.deepEqual(toggleTodo(once, 1), todos);
});
