import type { Command } from 'commander';
import type { AcceptanceDispute } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import { decideDispute } from '../../projects/disputes.js';
import { canonicalJson, type AcceptanceCheck } from '../../shared/acceptance.js';
import { type CliContext, printJson } from '../context.js';
import { withProject } from './backlog.js';

type Run = (fn: () => void | Promise<void>) => Promise<void>;

const short = (hash: string | null) => (hash === null ? 'none' : hash.slice(0, 12));

/** One check on one line: its kind and what it runs or opens (its name first, when it has one). */
function checkLine(c: AcceptanceCheck): string {
  const what =
    c.kind === 'command'
      ? c.run
      : c.kind === 'http'
        ? `${c.method} ${c.path}`
        : `${c.steps.length} step${c.steps.length === 1 ? '' : 's'}: ${canonicalJson(c.steps).slice(0, 200)}`;
  return `${c.kind}${c.name ? ` "${c.name}"` : ''}: ${what}${'expect' in c && c.expect ? ` expect ${canonicalJson(c.expect)}` : ''}`;
}

function printDispute(ctx: CliContext, d: AcceptanceDispute): void {
  ctx.stdout(
    `${d.id}  feature #${d.featureId}${d.featureName ? ` ${d.featureName}` : ''}  ${d.status}  ${new Date(d.createdAt).toISOString()}\n`,
  );
  ctx.stdout(`  reason: ${d.reason}\n`);
  ctx.stdout(`  frozen checks (hash ${short(d.hashBefore)}):\n`);
  for (const c of d.previous ?? []) ctx.stdout(`    - ${checkLine(c)}\n`);
  if (d.previous === null) ctx.stdout('    (none)\n');
  ctx.stdout('  proposed:\n');
  for (const c of d.proposed) ctx.stdout(`    + ${checkLine(c)}\n`);
  if (d.status !== 'open')
    ctx.stdout(
      `  ${d.status} by ${d.decidedBy === 'supervisor' ? 'the supervisor' : 'a human'}${d.decisionReason ? `: ${d.decisionReason}` : ''} (hash now ${short(d.hashAfter)})\n`,
    );
}

/** disputes, dispute: acceptance disputes (an agent believes a frozen check is wrong) from the terminal. */
export function registerDisputeCommands(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('disputes')
    .description('list the disputes of frozen acceptance checks (open ones; --all for the history)')
    .argument('<project>', 'registered name or path')
    .option('--all', 'also accepted and rejected disputes, newest first')
    .option(
      '--json',
      'print JSON: {"disputes":[{"id","featureId","featureName","sessionId","requestId","reason","proposed","previous","status","decidedBy","decisionReason","hashBefore","hashAfter","createdAt","decidedAt"}]}',
    )
    .action((project: string, opts: { all?: boolean; json?: boolean }) =>
      run(() =>
        withProject(ctx, project, (store) => {
          const disputes = store.disputes.list({ status: opts.all ? 'all' : 'open' });
          if (opts.json) return printJson(ctx, { disputes });
          if (disputes.length === 0)
            return ctx.stdout(opts.all ? 'No acceptance disputes.\n' : 'No open acceptance disputes.\n');
          for (const d of disputes) printDispute(ctx, d);
          if (!opts.all)
            ctx.stdout(`Decide with: autocoder dispute ${project} <dispute-id> --accept|--reject --reason TEXT\n`);
        }),
      ),
    );

  program
    .command('dispute')
    .description('decide a dispute: --accept (the proposed checks replace the frozen ones) or --reject (they stay)')
    .argument('<project>', 'registered name or path')
    .argument('<dispute-id>', 'the dispute id (dsp_…), from autocoder disputes')
    .option('--accept', 'the proposed checks replace the frozen ones (a new hash)')
    .option('--reject', 'the frozen checks stay (give --reason: the coding agent reads it)')
    .option('--reason <text>', 'why (kept in the feature notes for the next session)')
    .option('--json', 'print JSON: {"dispute",…,"feature":{"id","name","status","priority","acceptanceHash"}}')
    .action(
      (
        project: string,
        disputeId: string,
        opts: { accept?: boolean; reject?: boolean; reason?: string; json?: boolean },
      ) =>
        run(() => {
          if (opts.accept === opts.reject)
            throw new AppError('INVALID_INPUT', 'give exactly one of --accept or --reject');
          const reason = opts.reason?.trim() || null;
          if (opts.reject && reason === null)
            throw new AppError('INVALID_INPUT', '--reject needs --reason: say why the checks stay as they are');
          withProject(ctx, project, (store) => {
            const { dispute, feature } = decideDispute(store, disputeId, { accept: opts.accept === true, reason });
            if (opts.json)
              return printJson(ctx, {
                dispute,
                feature: {
                  id: feature.id,
                  name: feature.name,
                  status: feature.status,
                  priority: feature.priority,
                  acceptanceHash: feature.acceptanceHash,
                },
              });
            ctx.stdout(
              `${dispute.status === 'accepted' ? 'Accepted' : 'Rejected'} ${dispute.id}: feature #${feature.id} ${feature.name} is ${feature.status}${feature.status === 'pending' ? ' (first in line)' : ''}; checks hash ${short(dispute.hashBefore)} → ${short(feature.acceptanceHash)}.\n`,
            );
          });
        }),
    );
}
