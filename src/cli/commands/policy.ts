import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import { openRegistry, withExistingProjectStore } from '../../compose.js';
import type { RegisteredProject } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import { allowCommands, disallowCommand, extraCommands } from '../../projects/policy-extensions.js';
import { resolveProject } from '../../projects/projects.js';
import { announceWidening, recordWidening, wideningState } from '../../projects/settings-changes.js';
import { wideningChanges } from '../../shared/settings-widening.js';
import { DEFAULT_ALLOWED_COMMANDS, evaluateBashCommand } from '../../security/bash-policy.js';
import { readPolicyFile } from '../../security/read-policy-file.js';
import { type CliContext, printJson } from '../context.js';
import { wideningNotice } from './config.js';

/** policy check / allow / disallow / list: see and extend the Bash policy agents run under. */
export function registerPolicyCommands(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
  setExitCode: (code: number) => void,
): void {
  const policy = program
    .command('policy')
    .description("inspect and extend the Bash policy agents' commands are checked against");

  policy
    .command('check')
    .description('say whether an agent may run a command, and why (exit 0 allow, 1 deny)')
    .option(
      '--project <project>',
      'judge it inside this project, with its allowlist extensions (default: the current folder)',
    )
    .option('--json', 'print JSON: {"decision":"allow"|"deny","reason","category"?}')
    .argument('<command...>', "the command, quoted as one argument after --, e.g. -- 'npm test'")
    .action((words: string[], opts: { project?: string; json?: boolean }) =>
      run(() => {
        const command = words.join(' ');
        const { root, extra } = projectContext(ctx, opts.project);
        const decision = evaluateBashCommand(command, {
          projectRoot: root,
          extraCommands: extra,
          realpath: (p) => realpathSync.native(p),
          readFile: readPolicyFile,
        });
        if (opts.json)
          printJson(
            ctx,
            decision.decision === 'allow'
              ? { decision: 'allow', reason: decision.reason }
              : { decision: 'deny', reason: decision.reason, category: decision.category },
          );
        else
          ctx.stdout(
            decision.decision === 'allow'
              ? `allow: ${decision.reason}\n`
              : `deny (${decision.category}): ${decision.reason}\n`,
          );
        if (decision.decision === 'deny') setExitCode(1);
      }),
    );

  policy
    .command('allow')
    .description("add plain programs to a project's allowlist (shells and interpreters can never be added)")
    .argument('<project>', 'registered project name')
    .argument('<commands...>', 'program names, e.g. make cargo')
    .action((project: string, names: string[]) =>
      run(() => {
        // Added programs widen what agents may do: recorded with origin `cli` (registry and the project's event log).
        const handle = openRegistry(ctx.env);
        let result: { next: string[]; widening: ReturnType<typeof wideningChanges>; root: string };
        try {
          result = handle.transaction((registry) => {
            const registered = registeredProject(registry, project);
            const current = wideningState(registry, registered.name);
            const widening = wideningChanges(current, { extraCommands: [...(current.extraCommands ?? []), ...names] });
            const next = allowCommands(registry, registered.name, names);
            recordWidening(registry, registered.name, widening, 'cli');
            return { next, widening, root: registered.path };
          });
        } finally {
          handle.close();
        }
        if (result.widening.length > 0)
          withExistingProjectStore(result.root, ctx.env, (store) =>
            announceWidening(store?.events ?? null, result.widening, 'cli', Date.now()),
          );
        ctx.stdout(`Allowed for ${project}: ${result.next.join(', ')}\n`);
        ctx.stdout(wideningNotice(result.widening));
      }),
    );

  policy
    .command('disallow')
    .description("remove a program from a project's allowlist extensions")
    .argument('<project>', 'registered project name')
    .argument('<command>', 'program name')
    .action((project: string, name: string) =>
      run(() =>
        withRegistry(ctx, (reg) => {
          const next = disallowCommand(reg, registeredName(reg, project), name);
          ctx.stdout(`Allowlist extensions for ${project}: ${next.length > 0 ? next.join(', ') : 'none'}\n`);
        }),
      ),
    );

  policy
    .command('list')
    .description('the default allowlist and a project’s extensions')
    .argument('[project]', 'registered project name')
    .option('--json', 'print JSON: {"defaults":[…],"extra":[…]}')
    .action((project: string | undefined, opts: { json?: boolean }) =>
      run(() =>
        withRegistry(ctx, (reg) => {
          const extra = project === undefined ? [] : extraCommands(reg, registeredName(reg, project));
          if (opts.json) return printJson(ctx, { defaults: [...DEFAULT_ALLOWED_COMMANDS], extra });
          ctx.stdout(`default: ${DEFAULT_ALLOWED_COMMANDS.join(' ')}\n`);
          if (project !== undefined)
            ctx.stdout(`${project}: ${extra.length > 0 ? extra.join(' ') : '(no extensions)'}\n`);
        }),
      ),
    );
}

type Registry = ReturnType<typeof openRegistry>['registry'];

function withRegistry(ctx: CliContext, fn: (reg: Registry) => void): void {
  const handle = openRegistry(ctx.env);
  try {
    fn(handle.registry);
  } finally {
    handle.close();
  }
}

function registeredProject(reg: Registry, project: string): RegisteredProject {
  const found = reg.find(project);
  if (!found)
    throw new AppError(
      'NOT_FOUND',
      `no project named "${project}" is registered; allowlist extensions belong to registered projects (see \`autocoder list\`)`,
    );
  return found;
}

const registeredName = (reg: Registry, project: string): string => registeredProject(reg, project).name;

function projectContext(ctx: CliContext, project: string | undefined): { root: string; extra: string[] } {
  if (project === undefined) return { root: realpathSync(ctx.cwd), extra: [] };
  const handle = openRegistry(ctx.env);
  try {
    const resolved = resolveProject(handle.registry, project, ctx.cwd);
    return { root: resolved.paths.root, extra: extraCommands(handle.registry, resolved.name) };
  } finally {
    handle.close();
  }
}
