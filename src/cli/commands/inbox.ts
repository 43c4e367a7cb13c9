import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { HumanInputRequest } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import {
  answerHumanInput,
  cancelHumanInput,
  envFilePath,
  overrideSupervisorAnswer,
} from '../../projects/human-input.js';
import { envKeyOf, type HumanInputField } from '../../shared/human-input.js';
import { type CliContext, printJson } from '../context.js';
import { withProject } from './backlog.js';

type Run = (fn: () => void | Promise<void>) => Promise<void>;

function describeField(f: HumanInputField): string {
  const kind =
    f.type === 'select'
      ? `select: ${(f.options ?? []).join(' | ')}`
      : f.type === 'secret'
        ? `secret → .env ${envKeyOf(f)}`
        : f.type;
  return `${f.id} (${kind}${f.required ? ', required' : ''}): ${f.label}${f.help ? ` — ${f.help}` : ''}`;
}

function printRequest(ctx: CliContext, r: HumanInputRequest): void {
  ctx.stdout(
    `${r.id}  feature #${r.featureId}${r.featureName ? ` ${r.featureName}` : ''}  ${r.status}  ${new Date(r.createdAt).toISOString()}\n`,
  );
  ctx.stdout(`  ${r.prompt}\n`);
  for (const f of r.fields) ctx.stdout(`  - ${describeField(f)}\n`);
  if (r.status !== 'answered') return;
  // Answered: who answered what (non-secret values; secrets by .env key), and the supervisor's reasons.
  const by = r.answeredBy === 'supervisor' ? 'the supervisor' : 'a human';
  ctx.stdout(
    `  answered by ${by}${r.overrides ? ` (overriding the supervisor's ${r.overrides})` : ''}${r.overriddenBy ? `; overridden by a human: ${r.overriddenBy}` : ''}\n`,
  );
  for (const [field, value] of Object.entries(r.answer ?? {}))
    ctx.stdout(`    ${field} = ${JSON.stringify(value)}${r.reasons[field] ? `  (why: ${r.reasons[field]})` : ''}\n`);
  for (const [field, key] of Object.entries(r.secretKeys)) {
    ctx.stdout(
      `    ${field}: ${r.placeholderKeys.includes(key) ? 'development placeholder' : 'secret'} in .env as ${key}\n`,
    );
  }
}

/** `id=value` pairs from repeated --field options (the value may contain `=`). */
function parseFields(pairs: readonly string[]): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('INVALID_INPUT', `--field expects id=value, got "${pair.slice(0, 40)}"`);
    const id = pair.slice(0, eq);
    if (id in answers) throw new AppError('INVALID_INPUT', `--field ${id} is given twice`);
    answers[id] = pair.slice(eq + 1);
  }
  return answers;
}

type PromptIo = NonNullable<CliContext['prompt']>;

/** Reads one line from the terminal; with `hidden` nothing typed is echoed (secrets). */
async function askLine(io: PromptIo, question: string, hidden: boolean): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) io.output.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: io.input, output, terminal: true });
  try {
    if (!hidden) return await new Promise<string>((resolve) => rl.question(question, resolve));
    io.output.write(question);
    muted = true;
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    if (hidden) io.output.write('\n');
  }
}

async function askAll(ctx: CliContext, io: PromptIo, request: HumanInputRequest): Promise<Record<string, string>> {
  printRequest(ctx, request);
  const answers: Record<string, string> = {};
  for (const f of request.fields) {
    const hint =
      f.type === 'select'
        ? ` [${(f.options ?? []).join('/')}]`
        : f.type === 'boolean'
          ? ' [yes/no]'
          : f.placeholder
            ? ` (e.g. ${f.placeholder})`
            : '';
    const value = await askLine(
      io,
      `${f.label}${hint}${f.required ? '' : ' (optional)'}${f.type === 'secret' ? ' (hidden)' : ''}: `,
      f.type === 'secret',
    );
    if (value !== '') answers[f.id] = value;
  }
  return answers;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** inbox, answer: human-input requests from the terminal. */
export function registerInboxCommands(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('inbox')
    .description('list the questions agents asked a human (open human-input requests)')
    .argument('<project>', 'registered name or path')
    .option('--all', 'also answered and cancelled requests')
    .option('--supervisor', "only the supervisor's answers (with its reasons), newest first")
    .option(
      '--json',
      'print JSON: {"requests":[{"id","featureId","featureName","kind","prompt","fields","status","answeredBy","answer","secretKeys","reasons","placeholderKeys","overrides","overriddenBy",…}]}',
    )
    .action((project: string, opts: { all?: boolean; supervisor?: boolean; json?: boolean }) =>
      run(() =>
        withProject(ctx, project, (store) => {
          const all = store.humanInput.list({ status: opts.all || opts.supervisor ? 'all' : 'open' });
          const requests = opts.supervisor ? all.filter((r) => r.answeredBy === 'supervisor') : all;
          if (opts.json) return printJson(ctx, { requests });
          if (requests.length === 0)
            return ctx.stdout(
              opts.supervisor
                ? 'The supervisor has answered no requests.\n'
                : opts.all
                  ? 'No human-input requests.\n'
                  : 'No open human-input requests.\n',
            );
          for (const r of requests) printRequest(ctx, r);
          if (opts.supervisor)
            ctx.stdout(
              `Override an answer with: autocoder answer ${project} <request-id> --override [--field id=value …]\n`,
            );
          else if (!opts.all)
            ctx.stdout(`Answer with: autocoder answer ${project} <request-id> [--field id=value …]\n`);
        }),
      ),
    );

  program
    .command('answer')
    .description('answer (or cancel) a human-input request; without --field, asks for each value (secrets hidden)')
    .argument('<project>', 'registered name or path')
    .argument('<request-id>', 'the request id (hir_…), from autocoder inbox')
    .option('--field <id=value>', 'a value for a field (repeat for each field)', collect, [])
    .option('--override', "replace the supervisor's answer to this request: the feature re-opens with your values")
    .option('--cancel', 'cancel the request instead: the feature goes back to pending with a note')
    .option('--reason <text>', 'with --cancel: why (kept as a note for the next session)')
    .option('--json', 'print JSON: {"request","feature":{"id","name","status","priority"}}')
    .action(
      (
        project: string,
        requestId: string,
        opts: { field: string[]; override?: boolean; cancel?: boolean; reason?: string; json?: boolean },
      ) =>
        run(async () => {
          if (opts.cancel && opts.field.length > 0)
            throw new AppError('INVALID_INPUT', '--cancel takes no --field values');
          if (opts.cancel && opts.override)
            throw new AppError('INVALID_INPUT', 'give either --override or --cancel, not both');
          if (opts.reason !== undefined && !opts.cancel)
            throw new AppError('INVALID_INPUT', '--reason goes with --cancel');
          let answers: Record<string, string> | null = opts.cancel
            ? null
            : opts.field.length > 0
              ? parseFields(opts.field)
              : null;
          if (!opts.cancel && answers === null) {
            const io = ctx.prompt;
            if (io === undefined) {
              throw new AppError(
                'INVALID_INPUT',
                'give the answers with --field id=value (there is no terminal to ask on); see them with autocoder inbox',
              );
            }
            // Refuse before asking anything, with the same reasons answering would give.
            const request = withProject(ctx, project, (store) =>
              opts.override ? store.humanInput.overridable(requestId) : store.humanInput.get(requestId),
            );
            if (!opts.override && request.status !== 'open') {
              throw new AppError(
                'CONFLICT',
                `request ${request.id} is already ${request.status}${request.answeredBy === 'supervisor' && request.overriddenBy === null ? ' by the supervisor (replace its answer with --override)' : ''}; nothing was changed`,
              );
            }
            answers = await askAll(ctx, io, request);
          }
          withProject(ctx, project, (store) => {
            const done =
              answers === null
                ? cancelHumanInput(store, requestId, opts.reason?.trim() || null)
                : opts.override
                  ? overrideSupervisorAnswer(store, requestId, answers)
                  : answerHumanInput(store, requestId, answers);
            if (opts.json)
              return printJson(ctx, {
                request: done.request,
                feature: {
                  id: done.feature.id,
                  name: done.feature.name,
                  status: done.feature.status,
                  priority: done.feature.priority,
                },
              });
            if (done.request.overrides)
              ctx.stdout(
                `Overrode the supervisor's answer to ${done.request.overrides} (now ${done.request.id}): feature #${done.feature.id} ${done.feature.name} is ${done.feature.status}${done.feature.status === 'pending' ? ' (re-opened, first in line)' : ''}.\n`,
              );
            else
              ctx.stdout(
                `${done.request.status === 'answered' ? 'Answered' : 'Cancelled'} ${done.request.id}: feature #${done.feature.id} ${done.feature.name} is ${done.feature.status}${done.feature.status === 'pending' ? ' (first in line)' : ''}.\n`,
              );
            for (const [field, key] of Object.entries(done.request.secretKeys))
              ctx.stdout(`Secret ${field} saved in ${envFilePath(store.paths)} as ${key}.\n`);
          });
        }),
    );
}
