import { describe, expect, it } from 'vitest';
import { readToolInput, toolCallLine, toolInputDetail, toolResultLine } from './tool-call-text.js';

const features = (name: string) => `mcp__features__${name}`;

describe('toolCallLine: built-in Claude Code tools', () => {
  it.each([
    [
      'Bash',
      { command: 'git commit -m "Feature #3: add"', description: 'commit' },
      'Bash git commit -m "Feature #3: add"',
    ],
    ['Bash', { command: 'npm ci\nnpm test' }, 'Bash npm ci …'],
    ['Bash', { description: 'Runs the tests' }, 'Bash Runs the tests'],
    ['Read', { file_path: 'src/x.ts' }, 'Read src/x.ts'],
    ['Read', { file_path: 'src/x.ts', offset: 10, limit: 41 }, 'Read src/x.ts (lines 10–50)'],
    ['Read', { file_path: 'src/x.ts', offset: 200 }, 'Read src/x.ts (from line 200)'],
    ['Write', { file_path: 'src/features/add.js', content: 'a\n'.repeat(12) }, 'Write src/features/add.js (+12 lines)'],
    ['Write', { file_path: 'empty.txt', content: '' }, 'Write empty.txt (+0 lines)'],
    ['Write', { file_path: 'one.txt', content: 'x' }, 'Write one.txt (+1 line)'],
    ['Edit', { file_path: 'a.ts', old_string: 'x', new_string: 'y\nz' }, 'Edit a.ts (−1 +2 lines)'],
    [
      'Edit',
      { file_path: 'a.ts', old_string: 'x', new_string: 'y', replace_all: true },
      'Edit a.ts (−1 +1 line, every occurrence)',
    ],
    ['MultiEdit', { file_path: 'a.ts', edits: [{}, {}, {}] }, 'MultiEdit a.ts (3 edits)'],
    ['NotebookEdit', { notebook_path: 'n.ipynb', new_source: 'x' }, 'NotebookEdit n.ipynb'],
    ['Glob', { pattern: '**/*.ts', path: 'src' }, 'Glob **/*.ts in src'],
    ['Glob', { pattern: '*.md' }, 'Glob *.md'],
    ['Grep', { pattern: 'TODO', path: 'src' }, 'Grep "TODO" in src'],
    ['Grep', { pattern: 'x', glob: '*.tsx' }, 'Grep "x" in *.tsx'],
    ['LS', { path: '/work' }, 'LS /work'],
    [
      'TodoWrite',
      {
        todos: [
          { content: 'a', status: 'completed' },
          { content: 'b', status: 'pending' },
        ],
      },
      'TodoWrite 2 items, 1 done',
    ],
    ['Task', { description: 'Find the router', prompt: 'long' }, 'Task Find the router'],
    ['WebFetch', { url: 'https://example.com/a', prompt: 'p' }, 'WebFetch https://example.com/a'],
    ['WebSearch', { query: 'vitest jsdom' }, 'WebSearch "vitest jsdom"'],
  ])('%s %j → %s', (tool, input, line) => {
    expect(toolCallLine(tool, input)).toBe(line);
    // The event log stores the input as JSON text: the same line comes out of it.
    expect(toolCallLine(tool, JSON.stringify(input))).toBe(line);
  });

  it('cuts a long command at the line limit with an ellipsis', () => {
    const line = toolCallLine('Bash', { command: `echo ${'x'.repeat(300)}` });
    expect(line.length).toBeLessThanOrEqual('Bash '.length + 140);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('toolCallLine: our MCP tools read by their meaning', () => {
  it.each([
    ['feature_get_stats', {}, 'Checks the backlog’s progress'],
    ['feature_get_next', {}, 'Looks for the next feature to build'],
    ['feature_claim_next', {}, 'Claims the next feature to build'],
    ['feature_get_by_id', { feature_id: 3 }, 'Reads feature #3'],
    ['feature_mark_passing', { feature_id: 3, evidence: 'tests pass' }, 'Marks feature #3 passing'],
    [
      'feature_mark_failing',
      { feature_id: 4, reason: 'the total is wrong' },
      'Marks feature #4 failing: the total is wrong',
    ],
    ['feature_mark_verified', { feature_id: 2 }, 'Confirms feature #2 still passes'],
    ['feature_skip', { feature_id: 5, reason: 'needs a Stripe key' }, 'Skips feature #5: needs a Stripe key'],
    ['feature_release', { feature_id: 5 }, 'Hands feature #5 back to the backlog'],
    ['feature_create', { name: 'Add notes' }, 'Adds a feature “Add notes”'],
    ['feature_create_bulk', { features: [{}, {}, {}, {}, {}, {}] }, 'Adds 6 features to the backlog'],
    ['feature_add_dependency', { feature_id: 3, dependency_id: 1 }, 'Makes feature #3 depend on #1'],
    ['feature_remove_dependency', { feature_id: 3, dependency_id: 1 }, 'Removes feature #3’s dependency on #1'],
    ['feature_set_dependencies', { feature_id: 3, dependency_ids: [1, 2] }, 'Sets feature #3’s dependencies: #1, #2'],
    ['feature_set_dependencies', { feature_id: 3, dependency_ids: [] }, 'Sets feature #3’s dependencies: none'],
    ['feature_get_ready', { limit: 5 }, 'Lists the features ready to build'],
    ['feature_get_blocked', {}, 'Lists the blocked features'],
    ['feature_get_graph', {}, 'Reads the dependency graph'],
    ['feature_get_for_regression', {}, 'Picks passing features to re-verify'],
    [
      'feature_request_human_input',
      { feature_id: 7, prompt: 'Which currency?', fields: [] },
      'Asks you about feature #7: Which currency?',
    ],
    [
      'ask_user',
      { feature_id: 7, questions: [{ question: 'Dark mode?' }, { question: 'Tabs?' }] },
      'Asks you about feature #7: Dark mode? / Tabs?',
    ],
    [
      'feature_dispute_acceptance',
      { feature_id: 8, reason: 'the spec says 3 items' },
      'Disputes feature #8’s acceptance checks: the spec says 3 items',
    ],
    ['supervisor_answer', { request_id: 'hir_1', answers: {} }, 'Answers request hir_1'],
    ['review_add_finding', { severity: 'major', title: 'XSS in notes' }, 'Reports a major finding: XSS in notes'],
    ['review_add_finding', {}, 'Reports a finding'],
    ['review_finish', { summary: 's' }, 'Finishes the review'],
    ['design_vote', { approve: true, score: 8 }, 'Votes to ship (8/10)'],
    ['design_vote', { approve: false, score: 4 }, 'Votes for changes (4/10)'],
    ['verifier_verdict', { verdict: 'pass', reasons: [] }, 'Approves the feature to land'],
    ['verifier_verdict', { verdict: 'reject', reasons: ['a', 'b'] }, 'Rejects the feature (2 reasons)'],
  ])('%s %j → %s', (name, input, line) => {
    expect(toolCallLine(features(name), input)).toBe(line);
    // Bare names (as an agent's allowed tool list names them) read the same.
    expect(toolCallLine(name, JSON.stringify(input))).toBe(line);
  });

  it('names the spec chat’s tool by its meaning too', () => {
    expect(toolCallLine('mcp__spec__submit_app_spec', { spec: '<project_specification/>' })).toBe(
      'Submits the app spec',
    );
  });

  it('never shows the tool name an agent knows (feature_…, mcp__…) for our tools', () => {
    for (const name of ['feature_get_stats', 'feature_mark_passing', 'feature_get_ready', 'ask_user'])
      expect(toolCallLine(features(name), { feature_id: 1 })).not.toMatch(/feature_|mcp__|ask_user/);
  });

  it('shows another server’s tool by its name, its server and its first text argument', () => {
    expect(toolCallLine('mcp__github__create_issue', { title: 'Bug', body: 'x' })).toBe('create issue (github) Bug');
    expect(toolCallLine('mcp__github__list_repos', {})).toBe('list repos (github)');
  });

  it('shows an unknown built-in tool with its first text argument', () => {
    expect(toolCallLine('KillShell', { shell_id: 'abc' })).toBe('KillShell abc');
  });
});

describe('reading inputs the event log cut', () => {
  it('keeps the complete pairs before the cut, so a long Write keeps its path', () => {
    const cut = `${JSON.stringify({ file_path: 'src/big.ts', content: 'x\n'.repeat(5000) }).slice(0, 2047)}…`;
    expect(readToolInput(cut)['file_path']).toBe('src/big.ts');
    expect(toolCallLine('Write', cut)).toMatch(/^Write src\/big\.ts \(\+\d+ lines\)$/);
  });

  it('keeps the beginning of the string the cut fell in, marked with …', () => {
    expect(readToolInput('{"command":"echo \\"hi\\" yy…')).toEqual({ command: 'echo "hi" yy…' });
    expect(toolCallLine('Bash', `{"command":"echo ${'y'.repeat(3000)}…`)).toMatch(/^Bash echo y+…$/);
  });

  it('reads a non-JSON input (older rows) as the text itself on one line', () => {
    expect(toolCallLine('Bash', 'npm\n  test')).toBe('Bash npm test');
  });

  it('reads anything else as no arguments', () => {
    expect(readToolInput(42)).toEqual({});
    expect(readToolInput('[1,2]')).toEqual({});
    expect(readToolInput(null)).toEqual({});
  });
});

describe('toolInputDetail', () => {
  it('shows each argument on its own line and long texts as indented blocks', () => {
    expect(toolInputDetail({ file_path: 'a.js', content: 'one\ntwo\n', mode: 1 })).toBe(
      'file_path: a.js\ncontent:\n  one\n  two\nmode: 1',
    );
    expect(toolInputDetail(JSON.stringify({ command: 'ls' }))).toBe('command: ls');
    expect(toolInputDetail({})).toBe('(no arguments)');
  });

  it('shows a cut input as the text it is', () => {
    expect(toolInputDetail('{"command":"echo yyy…')).toBe('{"command":"echo yyy…');
  });
});

describe('toolResultLine', () => {
  it('folds a result to its first line and says how much more there is', () => {
    expect(toolResultLine('ok', false)).toBe('ok');
    expect(toolResultLine('PASS a\nPASS b\nPASS c\n', false)).toBe('PASS a (+2 more lines)');
    expect(toolResultLine('  \n', false)).toBe('(no output)');
  });

  it('says only whether one of our own tools worked: its text is written for the model', () => {
    const hint = 'Error: feature #9 does not exist.\nNext: list features with feature_get_stats or feature_get_ready.';
    expect(toolResultLine(hint, true, 'mcp__features__feature_get_by_id')).toBe(
      'refused (the reason is in the details)',
    );
    expect(toolResultLine('{\n  "total": 6\n}', false, 'mcp__features__feature_get_stats')).toBe('done');
    expect(toolResultLine('ok\nmore', false, 'Bash')).toBe('ok (+1 more line)');
  });

  it('says what a built-in tool did where Claude Code’s text is written for the model', () => {
    const written =
      'File created successfully at: src/a.js (file state is current in your context — no need to Read it back)';
    expect(toolResultLine(written, false, 'Write')).toBe('saved');
    expect(toolResultLine('The file a.ts has been updated.', false, 'Edit')).toBe('saved');
    expect(toolResultLine('ok', false, 'MultiEdit')).toBe('saved');
    expect(toolResultLine('Todos have been modified successfully.', false, 'TodoWrite')).toBe('updated');
    expect(toolResultLine('     1\t.autocoder/\n     2\tserver.log\n', false, 'Read')).toBe('read 2 lines');
    expect(toolResultLine('(Bash completed with no output)', false, 'Bash')).toBe('(no output)');
    expect(
      toolResultLine('<tool_use_error>File has not been read yet. Read it first.</tool_use_error>', true, 'Write'),
    ).toBe('error: File has not been read yet. Read it first.');
  });

  it('marks errors once, even when the text says Error: itself', () => {
    expect(toolResultLine('boom', true)).toBe('error: boom');
    expect(toolResultLine('Error: feature #9 does not exist', true)).toBe('error: feature #9 does not exist');
  });
});
