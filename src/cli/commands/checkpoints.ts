import { Option, type Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import {
  CHECKPOINT_AGENTS,
  DismissFindingRequestSchema,
  FINDING_SEVERITIES,
  FINDING_STATUSES,
  FindingsQuerySchema,
  type Checkpoint,
  type Finding,
  type FindingSighting,
} from '../../shared/checkpoints.js';
import { type CliContext, printJson } from '../context.js';
import { withProject } from './backlog.js';

type Run = (fn: () => void | Promise<void>) => Promise<void>;

/**
 * Text from reviewers and tools, safe for a terminal: control characters (an ANSI escape could rewrite the screen or
 * the title bar) become spaces; `lines` keeps line breaks (a finding's detail), else everything is one line.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
export function terminalText(s: string, lines = false): string {
  const flat = s.replace(CONTROL, ' ');
  return lines ? flat : flat.replace(/\s+/g, ' ').trim();
}

const usd = (v: number) => `$${v.toFixed(2)}`;
const when = (at: number) => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const place = (f: Finding) =>
  f.file === undefined ? '-' : terminalText(f.line === undefined ? f.file : `${f.file}:${f.line}`);
const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const counts = (c: Checkpoint) =>
  `${c.counts.critical} critical, ${c.counts.major} major, ${c.counts.minor} minor, ${c.counts.info} info`;

/** Columns padded to their widest cell (the last one is left ragged). */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The findings table: severity, id, kind, title, file:line, status, seen N×, fix #id. */
export function findingsTable(findings: readonly Finding[]): string {
  return `${table([
    ['SEVERITY', 'ID', 'KIND', 'TITLE', 'WHERE', 'STATUS', 'SEEN', 'FIX'],
    ...findings.map((f) => [
      f.severity,
      f.id,
      f.agent,
      clip(terminalText(f.title), 60),
      clip(place(f), 50),
      f.status,
      `${f.seenCount}×`,
      f.fixFeatureId === null ? '-' : `#${f.fixFeatureId}`,
    ]),
  ])}\n`;
}

/** One finding in full, with its history (the checkpoints that saw it, the severity each time). */
function findingText(f: Finding, sightings: readonly FindingSighting[]): string {
  const t = (v: string) => terminalText(v);
  const lines = [
    `${f.id}  ${f.severity}  ${f.agent} / ${t(f.category)}  ${f.status}${f.source === 'tool' ? '  (from a tool)' : ''}`,
    `  ${t(f.title)}`,
    `  where: ${place(f)}`,
    `  ${terminalText(f.detail, true).replace(/\n/g, '\n  ')}`,
    ...(f.evidence === undefined ? [] : [`  evidence: ${t(f.evidence)}`]),
    ...(f.suggestedFix === undefined ? [] : [`  suggested fix: ${t(f.suggestedFix)}`]),
    `  seen ${f.seenCount}× (checkpoints ${f.firstCheckpoint}–${f.lastCheckpoint})${f.resolvedIn === null ? '' : `; resolved by checkpoint ${f.resolvedIn}`}`,
    ...(f.fixFeatureId === null ? [] : [`  fix feature: #${f.fixFeatureId}`]),
    ...(f.dismissedReason === null ? [] : [`  dismissed: ${t(f.dismissedReason)}`]),
    '  history:',
    ...sightings.map((s) => `    checkpoint ${s.checkpoint}  ${s.severity}  ${when(s.at)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function checkpointLine(c: Checkpoint): string[] {
  return [
    String(c.n),
    when(c.startedAt),
    c.trigger,
    c.commit.slice(0, 10),
    c.status,
    counts(c),
    `${c.newFindings} new, ${c.resolvedFindings} resolved`,
    usd(c.costUsd),
  ];
}

function checkpointText(c: Checkpoint, findings: readonly Finding[], resolved: readonly Finding[]): string {
  const lines = [
    `Checkpoint ${c.n}: ${c.status}${c.error === null ? '' : ` (${terminalText(c.error)})`}`,
    `  commit ${c.commit.slice(0, 10)}${c.previousCommit === null ? ' (the first: the whole code base)' : `, changes since ${c.previousCommit.slice(0, 10)}`}`,
    `  trigger ${c.trigger}${c.runId === null ? '' : ` (run ${c.runId})`}; started ${when(c.startedAt)}${c.endedAt === null ? '' : `; took ${Math.round((c.endedAt - c.startedAt) / 1000)} s`}; cost ${usd(c.costUsd)}; ${c.passing} passing features`,
    `  findings: ${counts(c)} (${c.newFindings} new, ${c.resolvedFindings} resolved)`,
    ...(c.fixFeatureIds.length === 0 ? [] : [`  fix features: ${c.fixFeatureIds.map((id) => `#${id}`).join(', ')}`]),
    ...(c.reportPath === null ? [] : [`  report: ${c.reportPath}`]),
    ...c.facts.map((f) => `  tool ${f.kind}: ${f.status} — ${terminalText(f.summary)}`),
    ...c.reviews.map(
      (r) => `  review ${r.agent}: ${r.status}${r.summary === null ? '' : ` — ${terminalText(r.summary)}`}`,
    ),
  ];
  const parts = [`${lines.join('\n')}\n`];
  parts.push(findings.length === 0 ? 'No findings.\n' : `\nFindings seen in it:\n${findingsTable(findings)}`);
  if (resolved.length > 0) parts.push(`\nResolved by it:\n${findingsTable(resolved)}`);
  return parts.join('');
}

const CheckpointNumberSchema = z.coerce.number().int().positive().max(1_000_000_000);

/** findings, finding, checkpoints: a project's checkpoints and their findings from the terminal (issue #17). */
export function registerCheckpointCommands(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('findings')
    .description("list a project's checkpoint findings, worst first (all of them; filter by status, agent, severity)")
    .argument('<project>', 'registered name or path')
    .addOption(new Option('--status <status>', 'only findings with this status').choices(FINDING_STATUSES))
    .addOption(new Option('--agent <agent>', 'only findings of this reviewer kind').choices(CHECKPOINT_AGENTS))
    .addOption(new Option('--severity <severity>', 'only findings of this severity').choices(FINDING_SEVERITIES))
    .option(
      '--json',
      'print JSON: {"findings":[{"id","fingerprint","agent","source","severity","category","title","detail","file","line","evidence","suggestedFix","status","firstCheckpoint","lastCheckpoint","seenCount","fixFeatureId","resolvedIn","dismissedReason","createdAt","updatedAt"}]}',
    )
    .action((project: string, opts: { status?: string; agent?: string; severity?: string; json?: boolean }) =>
      run(() => {
        const { json, ...filter } = opts;
        const query = FindingsQuerySchema.safeParse(filter);
        if (!query.success) throw new AppError('INVALID_INPUT', query.error.issues[0]?.message ?? 'bad filter');
        withProject(ctx, project, (store) => {
          const findings = store.checkpoints.findings(query.data);
          if (json) return printJson(ctx, { findings });
          const filtered = Object.values(query.data).length > 0;
          if (findings.length === 0)
            return ctx.stdout(filtered ? 'No findings match.\n' : 'No findings yet: no checkpoint has found any.\n');
          ctx.stdout(findingsTable(findings));
          ctx.stdout(`Details and history: autocoder finding ${project} <finding-id>\n`);
        });
      }),
    );

  program
    .command('finding')
    .description('show a finding and its history, or dismiss it (--dismiss --reason: it is not a problem)')
    .argument('<project>', 'registered name or path')
    .argument('<finding-id>', 'the finding id (fnd_…), from autocoder findings')
    .option('--dismiss', 'dismiss it: it stays dismissed when seen again (give --reason)')
    .option('--reason <text>', 'with --dismiss: why it is not a problem (kept with the finding)')
    .option('--json', 'print JSON: {"finding":{…as in findings},"sightings":[{"checkpoint","severity","at"}]}')
    .action((project: string, findingId: string, opts: { dismiss?: boolean; reason?: string; json?: boolean }) =>
      run(() => {
        if (opts.reason !== undefined && !opts.dismiss)
          throw new AppError('INVALID_INPUT', '--reason goes with --dismiss');
        let reason: string | null = null;
        if (opts.dismiss) {
          const body = DismissFindingRequestSchema.safeParse({ reason: opts.reason ?? '' });
          if (!body.success)
            throw new AppError('INVALID_INPUT', '--dismiss needs --reason: say why the finding is not a problem');
          reason = body.data.reason;
        }
        withProject(ctx, project, (store) => {
          const finding =
            reason === null ? store.checkpoints.finding(findingId) : store.checkpoints.dismiss(findingId, reason);
          const sightings = store.checkpoints.sightings(findingId);
          if (opts.json) return printJson(ctx, { finding, sightings });
          if (reason !== null) ctx.stdout(`Dismissed ${finding.id}: ${terminalText(finding.title)}\n`);
          else ctx.stdout(findingText(finding, sightings));
        });
      }),
    );

  program
    .command('checkpoints')
    .description("list a project's checkpoints, or show one (its tool results, reviews and findings)")
    .argument('<project>', 'registered name or path')
    .argument('[n]', 'a checkpoint number: show that one')
    .option(
      '--json',
      'print JSON: {"checkpoints":[…]} or, for one, {"checkpoint","findings","resolved"} (GET /api/projects/{name}/checkpoints[/{n}])',
    )
    .action((project: string, n: string | undefined, opts: { json?: boolean }) =>
      run(() => {
        const number = n === undefined ? null : CheckpointNumberSchema.safeParse(n);
        if (number && !number.success)
          throw new AppError('INVALID_INPUT', `checkpoint number: expected 1, 2, 3 …, got "${clip(n ?? '', 40)}"`);
        withProject(ctx, project, (store) => {
          if (number) {
            const checkpoint = store.checkpoints.get(number.data);
            const findings = store.checkpoints.findings({ checkpoint: checkpoint.n });
            const resolved = store.checkpoints.findings({ resolvedIn: checkpoint.n });
            if (opts.json) return printJson(ctx, { checkpoint, findings, resolved });
            return ctx.stdout(checkpointText(checkpoint, findings, resolved));
          }
          const checkpoints = store.checkpoints.list();
          if (opts.json) return printJson(ctx, { checkpoints });
          if (checkpoints.length === 0) return ctx.stdout('No checkpoints yet.\n');
          ctx.stdout(
            `${table([['N', 'STARTED', 'TRIGGER', 'COMMIT', 'STATUS', 'FINDINGS', 'CHANGE', 'COST'], ...checkpoints.map(checkpointLine)])}\n`,
          );
          ctx.stdout(`One checkpoint with its findings: autocoder checkpoints ${project} <n>\n`);
        });
      }),
    );
}
