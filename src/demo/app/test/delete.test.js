import test from 'node:test';
import assert from 'node:assert/strict';
import { removeTodo } from '../src/features/delete.js';

test('removes exactly the given todo', () => {
  const todos = [
    { id: 1, title: 'a', done: false },
    { id: 2, title: 'b', done: true },
  ];
  assert.deepEqual(removeTodo(todos, 1), [todos[1]]);
  assert.deepEqual(removeTodo(todos, 9), todos);
});
