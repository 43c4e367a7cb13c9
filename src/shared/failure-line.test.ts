import { describe, expect, it } from 'vitest';
import { failingLine, MAX_FAILING_LINE } from './failure-line.js';

// Outputs as the programs print them (node 20's assert and test runner, vitest, pytest), cut where a check's kept end
// would start.
const NODE_ASSERT = `node:assert:90
  throw new AssertionError(obj);
  ^

AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:
+ actual - expected

+ 'feature 1 todo'
- 'feature 1 implemented'
             ^
    at [eval]:1:19
    at runScriptInThisContext (node:internal/vm:209:10) {
  generatedMessage: true,
  code: 'ERR_ASSERTION',
}

Node.js v20.20.2`;

const NODE_TEST_TAP = `TAP version 13
# Subtest: lists todos
ok 1 - lists todos
# Subtest: adds a todo
not ok 2 - adds a todo
  ---
  duration_ms: 15.287484
  location: '/tmp/a.test.js:2:1'
  failureType: 'testCodeFailure'
  error: |-
    Expected values to be strictly equal:

    3 !== 4

  code: 'ERR_ASSERTION'
  name: 'AssertionError'
  stack: |-
    TestContext.<anonymous> (/tmp/a.test.js:2:36)
  ...
1..2
# tests 2
# pass 1
# fail 1
npm ERR! Test failed.  See above for more details.`;

const VITEST = ` FAIL  src/add.test.ts > adds > sums two numbers
AssertionError: expected 3 to be 4 // Object.is equality
 ❯ src/add.test.ts:5:19
 Test Files  1 failed (1)
      Tests  1 failed (1)`;

const PYTEST = `tests/test_add.py F                                                      [100%]
    def test_add():
>       assert add(1, 2) == 4
E       assert 3 == 4
E        +  where 3 = add(1, 2)
FAILED tests/test_add.py::test_add - assert 3 == 4
1 failed in 0.03s`;

describe('failingLine', () => {
  it("finds node's assertion under its source excerpt and finishes it with the diff", () => {
    expect(failingLine(NODE_ASSERT)).toBe(
      "AssertionError: Expected values to be strictly equal: + 'feature 1 todo' - 'feature 1 implemented'",
    );
  });

  it("names the failing test of node's test runner with its assertion, not the summary or npm's trailer", () => {
    expect(failingLine(NODE_TEST_TAP)).toBe('adds a todo — Expected values to be strictly equal: 3 !== 4');
  });

  it('reads vitest and pytest failures', () => {
    expect(failingLine(VITEST)).toBe(
      'src/add.test.ts > adds > sums two numbers — AssertionError: expected 3 to be 4 // Object.is equality',
    );
    expect(failingLine(PYTEST)).toBe('E assert 3 == 4');
  });

  it('without an assertion: the failing test, else a typed error, else any error line', () => {
    expect(failingLine('ok 1 - a\nnot ok 2 - saves to disk\n# fail 1')).toBe('not ok 2 - saves to disk');
    expect(failingLine('starting\nTypeError: todos.map is not a function\n    at x (a.js:1:1)')).toBe(
      'TypeError: todos.map is not a function',
    );
    expect(failingLine('curl: (7) Failed to connect to 127.0.0.1 port 3000')).toBe(
      'curl: (7) Failed to connect to 127.0.0.1 port 3000',
    );
  });

  it('is null when nothing says it failed, or only summaries do', () => {
    expect(failingLine('')).toBeNull();
    expect(failingLine('feature 1 todo\n')).toBeNull();
    expect(failingLine('# tests 3\n# fail 1\nnpm ERR! Test failed.')).toBeNull();
  });

  it('keeps one line of at most MAX_FAILING_LINE characters', () => {
    const line = failingLine(`Error: ${'x'.repeat(1000)}`);
    expect(line).toHaveLength(MAX_FAILING_LINE);
    expect(line?.endsWith('…')).toBe(true);
    expect(failingLine('AssertionError: a\n   b   c')).toBe('AssertionError: a');
  });
});
