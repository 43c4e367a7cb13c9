import test from 'node:test';
import assert from 'node:assert/strict';
import { countText } from '../src/features/count.js';

test('counts open todos only, with the right plural', () => {
  assert.equal(countText([]), '0 items left');
  assert.equal(countText([{ id: 1, title: 'a', done: false }]), '1 item left');
  assert.equal(
    countText([
      { id: 1, title: 'a', done: false },
      { id: 2, title: 'b', done: false },
      { id: 3, title: 'c', done: true },
    ]),
    '2 items left',
  );
});
