import test from 'node:test';
import assert from 'node:assert/strict';
import { visibleTodos } from '../src/features/filter.js';

const todos = [
  { id: 1, title: 'open', done: false },
  { id: 2, title: 'finished', done: true },
];

test('shows all, active or done todos', () => {
  assert.deepEqual(visibleTodos(todos, 'all'), todos);
  assert.deepEqual(visibleTodos(todos, 'active'), [todos[0]]);
  assert.deepEqual(visibleTodos(todos, 'done'), [todos[1]]);
});

test('an unknown filter shows everything', () => {
  assert.deepEqual(visibleTodos(todos, 'nope'), todos);
});
