import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { ReportSchema } from '../../src/shared/report.js';
import { cliInProcess } from '../support/cli-in-process.js';
import { seedReportCheckpoints, seedReportProject } from '../support/report-seed.js';

let root: string;
let env: Env;
let dir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-report-cli-'));
  env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  dir = seedReportProject(root, env).dir;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('autocoder report', () => {
  it('prints Markdown to stdout by default: metrics with the ROI assumptions, the backlog, interventions', async () => {
    const res = await cliInProcess(['report', 'beta'], env);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^# Report: beta\n/);
    expect(res.stdout).toContain(
      '| ROI | net $596.85 (190.5x) | 6 developer hours saved, worth $600.00, for $3.15; assuming 2 h per feature (default) at $100.00/h (default) |',
    );
    expect(res.stdout).toContain(
      '| 2 | \\<img src=x onerror=alert(1)\\> | ui | passing | verified | passed (landing) on c3d4e5f607, 1/1 checks passed, 2026-01-10 10:00 UTC | 2 | $1.40 |',
    );
    expect(res.stdout).toContain(
      '| 3 | Export CSV | data | passing | not verified: it has no acceptance checks | never |',
    );
    expect(res.stdout).toContain('| Which currency should prices use? | Currency = USD | Currency = EUR |');
    expect(res.stdout).toContain('| The check runs the wrong script | rejected | human, 2026-01-10 09:50 UTC |');
    expect(res.stdout).toContain('## Checkpoints\n\nNone yet: no checkpoint has run.\n\n## Design iterations');
  });

  it('--format html --out writes one self-contained file; --format json --out writes the schema', async () => {
    const html = join(root, 'out', 'beta.html');
    mkdirSync(join(root, 'out'));
    const h = await cliInProcess(['report', 'beta', '--format', 'html', '--out', html], env);
    expect(h.status).toBe(0);
    expect(h.stdout).toBe(`Wrote the html report of beta to ${html}\n`);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toMatch(/<img|<script/);

    const json = join(root, 'out', 'beta.json');
    const j = await cliInProcess(['report', 'beta', '--format', 'json', '--out', json, '--run', 'run_1'], env);
    expect(j.status).toBe(0);
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(report).toMatchObject({
      project: 'beta',
      runId: 'run_1',
      checkpoints: [],
      openFindings: [],
      designIterations: [],
    });
    expect(report.backlog.filter((f) => f.verified).map((f) => f.id)).toEqual([2, 1]);
    expect(report.interventions.overrides).toHaveLength(1);
    expect(report.interventions.disputes.map((d) => [d.status, d.decidedBy])).toEqual([['rejected', 'human']]);
    expect(report.metrics.cost.total.costUsd).toBeCloseTo(3.15, 10);
  });

  it('shows the checkpoints and the open findings worst first; --run keeps the checkpoints of that run', async () => {
    const seeded = seedReportCheckpoints(dir);
    const res = await cliInProcess(['report', 'beta'], env);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(`## Checkpoints

| # | Started | Duration | Trigger | Commit | Status | Findings | New | Resolved | Fix features | Cost | Report |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| 1 | 2026-01-10 10:50 UTC | 3.5 min | interval | 1a2b3c4d5e | finished | 1 critical, 2 minor | 3 | 0 | #${seeded.fixFeatureId} | $0.42 | .autocoder/checkpoints/checkpoint-1.md |
| 2 | 2026-01-10 10:54 UTC | 2.0 min | on demand | 9f8e7d6c5b | finished | 1 critical, 1 major, 1 info | 1 | 1 | — | $0.61 | — |

### Open findings

| Severity | Finding | Where | Kind | Seen | Status |
| --- | --- | --- | --- | --- | --- |
| critical | Search builds SQL from the query string | src/server/search.ts:42 | security, sql-injection | 2× (checkpoints 1–2) | open, fix feature #${seeded.fixFeatureId} |
| major | API responses are cast, not parsed | src/web/client.ts:14 | code, type-safety | 2× (checkpoints 1–2) | open |
| info | formatDate is exported and never used | src/web/dates.ts:3 | code, eslint/no-unused-vars (tool) | 1× (checkpoint 2) | open |

## Design iterations`);
    // The resolved finding is history, not an open finding.
    expect(res.stdout).not.toContain(seeded.bundle.title);
    expect(res.stdout).not.toContain('None yet: no checkpoint');

    const html = await cliInProcess(['report', 'beta', '--format', 'html'], env);
    expect(html.status, html.stderr).toBe(0);
    expect(html.stdout.replace(/>\s+</g, '><')).toContain(
      '<td class="sev-critical">critical</td><td>Search builds SQL from the query string</td><td>src/server/search.ts:42</td>',
    );

    // run_1's checkpoint only, and the findings it saw that are still open (present state, like the backlog).
    const json = await cliInProcess(['report', 'beta', '--format', 'json', '--run', 'run_1'], env);
    expect(json.status, json.stderr).toBe(0);
    const report = ReportSchema.parse(JSON.parse(json.stdout));
    expect(report.checkpoints.map((c) => [c.n, c.runId, c.fixFeatureIds, c.reportPath])).toEqual([
      [1, 'run_1', [seeded.fixFeatureId], '.autocoder/checkpoints/checkpoint-1.md'],
    ]);
    expect(report.openFindings.map((f) => [f.id, f.severity, f.seenCount])).toEqual([
      [seeded.sqlInjection.id, 'critical', 2],
      [seeded.untyped.id, 'major', 2],
    ]);
  });

  it('refuses a bad format, a bad or unknown run and an --out inside .autocoder with exit 2, writing nothing', async () => {
    const bad = await cliInProcess(['report', 'beta', '--format', 'pdf'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format.*pdf.*md, html, json/s);
    const run = await cliInProcess(['report', 'beta', '--run', 'run_9'], env);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no run "run_9" in project beta');
    expect((await cliInProcess(['report', 'beta', '--run', '../x'], env)).status).toBe(2);
    const inProject = join(dir, '.autocoder', 'report.md');
    const refused = await cliInProcess(['report', 'beta', '--out', inProject], env);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--out: refusing to write inside .autocoder');
    expect(existsSync(inProject)).toBe(false);
    const inHome = join(root, 'home', 'report.md');
    expect((await cliInProcess(['report', 'beta', '--out', inHome], env)).status).toBe(2);
    expect(existsSync(inHome)).toBe(false);
    // A link does not smuggle the write in: the target is judged with symlinks resolved.
    symlinkSync(join(dir, '.autocoder'), join(root, 'innocent'));
    const linked = await cliInProcess(['report', 'beta', '--out', join(root, 'innocent', 'report.md')], env);
    expect(linked.status).toBe(2);
    expect(existsSync(join(dir, '.autocoder', 'report.md'))).toBe(false);
    const nobody = await cliInProcess(['report', 'nobody'], env);
    expect(nobody.status).not.toBe(0);
  });
});
