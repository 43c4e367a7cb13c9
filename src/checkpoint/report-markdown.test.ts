import { describe, expect, it } from 'vitest';
import type { Checkpoint, Finding } from '../shared/checkpoints.js';
import { checkpointReportMarkdown, findingPlace, mdInert, type CheckpointReportInput } from './report-markdown.js';

const START = Date.UTC(2026, 11, 6, 8, 30);

const checkpoint: Checkpoint = {
  n: 2,
  runId: 'run_abc',
  trigger: 'interval',
  commit: '0123456789abcdef0123',
  previousCommit: 'fedcba9876543210fedc',
  agents: ['code', 'security', 'performance'],
  status: 'finished',
  startedAt: START,
  endedAt: START + 252_000,
  passing: 4,
  costUsd: 1.234,
  facts: [
    {
      kind: 'typecheck',
      command: 'npx tsc --noEmit',
      status: 'failed',
      exitCode: 2,
      durationMs: 3_100,
      summary: '3 errors in 2 files',
      output: '…',
      figures: { files: 2, errors: 3 },
      findings: [],
    },
    {
      kind: 'coverage',
      command: '',
      status: 'skipped',
      exitCode: null,
      durationMs: 0,
      summary: 'no coverage script in package.json',
      output: '',
      figures: {},
      findings: [],
    },
  ],
  reviews: [
    { agent: 'security', sessionId: 'ses_2', status: 'finished', summary: 'One XSS\nin the list.', findings: 1 },
    { agent: 'code', sessionId: 'ses_1', status: 'incomplete', summary: null, findings: 0 },
    { agent: 'performance', sessionId: null, status: 'failed', summary: null, findings: 0 },
  ],
  counts: { critical: 1, major: 1, minor: 0, info: 1 },
  newFindings: 2,
  resolvedFindings: 1,
  fixFeatureIds: [7],
  reportPath: null,
  error: null,
};

const finding = (over: Partial<Finding>): Finding => ({
  id: 'fnd_1',
  fingerprint: 'fp',
  agent: 'security',
  source: 'agent',
  severity: 'critical',
  category: 'xss',
  title: 'Unescaped note title',
  detail: 'The title is set with innerHTML.',
  status: 'open',
  firstCheckpoint: 1,
  lastCheckpoint: 2,
  seenCount: 2,
  fixFeatureId: 7,
  resolvedIn: null,
  dismissedReason: null,
  createdAt: START,
  updatedAt: START,
  ...over,
});

const input: CheckpointReportInput = {
  project: 'notes',
  checkpoint,
  findings: [
    finding({
      id: 'fnd_3',
      severity: 'info',
      title: 'Bundle is 412 kB',
      agent: 'performance',
      category: 'bundle-size',
      source: 'tool',
      firstCheckpoint: 2,
      seenCount: 1,
      fixFeatureId: null,
    }),
    finding({
      file: 'src/list.ts',
      line: 12,
      evidence: 'list.innerHTML = note.title',
      suggestedFix: 'Use textContent',
    }),
    finding({
      id: 'fnd_2',
      severity: 'major',
      title: 'No CSRF token on <form>',
      category: 'csrf',
      file: 'src/form.ts',
      firstCheckpoint: 2,
      seenCount: 1,
      fixFeatureId: null,
    }),
  ],
  resolved: [
    finding({
      id: 'fnd_0',
      severity: 'major',
      title: 'SQL built by concatenation',
      category: 'sql-injection',
      file: 'src/db.ts',
      line: 3,
      status: 'resolved',
      resolvedIn: 2,
      lastCheckpoint: 1,
      seenCount: 1,
      fixFeatureId: 5,
    }),
  ],
  fixFeatures: [{ id: 7, name: 'Fix critical: Unescaped note title', status: 'in_progress' }],
};

describe('checkpointReportMarkdown', () => {
  const md = checkpointReportMarkdown(input);

  it('heads with the commit and its range, trigger, run, status, duration, cost, passing count and counts', () => {
    expect(md.startsWith('# Checkpoint 2\n\n- Project: notes\n')).toBe(true);
    expect(md).toContain('- Commit: `0123456789` (changes since `fedcba9876`)\n');
    expect(md).toContain('- Trigger: every N passing features (checkpointInterval) (run run\\_abc)\n');
    expect(md).toContain('- Status: finished\n');
    expect(md).toContain('- Started: 2026-12-06 08:30 UTC; duration: 4.2 min\n');
    expect(md).toContain('- Cost: $1.23\n');
    expect(md).toContain('- Passing features: 4\n');
    expect(md).toContain('- Reviewers: code, security, performance\n');
    expect(md).toContain('- Findings: 1 critical, 1 major, 0 minor, 1 info (2 new, 1 resolved)\n');
  });

  it('one line per tool result with its summary and figures (sorted), or why it was skipped', () => {
    expect(md).toContain(
      '## Tool results\n\n- **typecheck** (failed, exit 2, 3 s): 3 errors in 2 files; errors 3, files 2 — npx tsc --noEmit\n- **coverage** (skipped): no coverage script in package.json\n',
    );
  });

  it("each reviewer's summary in the order of the agents, and how its session ended", () => {
    expect(md).toContain(
      '## Reviews\n\n- **code** (ended without `review_finish`, 0 findings, session ses\\_1): no summary.\n- **security** (finished, 1 finding, session ses\\_2): One XSS in the list.\n- **performance** (could not run, 0 findings): no summary.\n',
    );
  });

  it('findings by severity, worst first, with file:line, category, seen count, suggested fix and fix feature', () => {
    const critical = md.indexOf('### Critical (1)');
    const major = md.indexOf('### Major (1)');
    const info = md.indexOf('### Info (1)');
    expect(md).toContain('## Findings (3)');
    expect(critical).toBeGreaterThan(0);
    expect(major).toBeGreaterThan(critical);
    expect(info).toBeGreaterThan(major);
    expect(md).not.toContain('### Minor');
    expect(md).toContain(
      '- **Unescaped note title** — src/list.ts:12 · security / xss · seen 2× (first at checkpoint 1) · open · fix feature #7 · `fnd_1`\n  The title is set with innerHTML.\n  Evidence: list.innerHTML = note.title\n  Suggested fix: Use textContent\n',
    );
    expect(md).toContain('- **No CSRF token on \\<form\\>** — src/form.ts · security / csrf · new · open · `fnd_2`\n');
    expect(md).toContain('- **Bundle is 412 kB** · performance / bundle-size · new · open · from a tool · `fnd_3`\n');
  });

  it('the fix features it created and what it resolved since the last checkpoint', () => {
    expect(md).toContain('## Fix features created\n\n- #7 Fix critical: Unescaped note title (in progress)\n');
    expect(md).toContain(
      '## Resolved since the last checkpoint\n\n- major: SQL built by concatenation — src/db.ts:3 · security · first seen at checkpoint 1, last at 1 · fix feature #5 · `fnd_0`\n',
    );
    expect(md.endsWith('`fnd_0`\n')).toBe(true);
  });

  it('a first, empty, failed checkpoint says so', () => {
    const empty = checkpointReportMarkdown({
      project: 'notes',
      checkpoint: {
        ...checkpoint,
        n: 1,
        trigger: 'manual',
        runId: null,
        previousCommit: null,
        status: 'failed',
        error: 'the worktree could not be created',
        endedAt: START + 4_000,
        facts: [],
        reviews: [],
        counts: { critical: 0, major: 0, minor: 0, info: 0 },
        newFindings: 0,
        resolvedFindings: 0,
        fixFeatureIds: [],
      },
      findings: [],
      resolved: [],
      fixFeatures: [],
    });
    expect(empty).toContain('- Commit: `0123456789` (the first checkpoint: the whole code base)\n');
    expect(empty).toContain('- Trigger: on demand\n');
    expect(empty).toContain('- Status: failed — the worktree could not be created\n');
    expect(empty).toContain('duration: 4 s\n');
    expect(empty).toContain('## Tool results\n\nNo tool results recorded.\n');
    expect(empty).toContain('## Reviews\n\nNo reviewer sessions recorded.\n');
    expect(empty).toContain('## Findings\n\nNone.\n');
    expect(empty).toContain('## Fix features created\n\nNone.\n');
    expect(empty).toContain('## Resolved\n\nNothing was resolved.\n');
  });

  it('a dismissed finding shows the reason; text from agents cannot become Markdown or HTML', () => {
    const text = checkpointReportMarkdown({
      ...input,
      findings: [
        finding({
          title: '<img src=x onerror=alert(1)> [link](http://x)',
          detail: 'line one\n\n# not a heading',
          status: 'dismissed',
          dismissedReason: 'escaped by *the* template',
        }),
      ],
    });
    expect(text).toContain('**\\<img src=x onerror=alert(1)\\> \\[link\\](http://x)**');
    expect(text).toContain('  line one \\# not a heading\n');
    expect(text).toContain('  Dismissed: escaped by \\*the\\* template');
    expect(text).not.toMatch(/(?<!\\)<img/);
  });

  it('helpers: where a finding is, and inert text', () => {
    expect(findingPlace({ file: 'a.ts', line: 3 })).toBe('a.ts:3');
    expect(findingPlace({ file: 'a.ts' })).toBe('a.ts');
    expect(findingPlace({})).toBeNull();
    expect(mdInert(' a|b\n`c` ')).toBe('a\\|b \\`c\\`');
  });
});
