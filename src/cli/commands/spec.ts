import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openRegistry } from '../../compose.js';
import { AppError } from '../../domain/errors.js';
import { resolveProject } from '../../projects/projects.js';
import { appSpecTemplate, formatSpecProblems, validateAppSpec } from '../../spec/validate-app-spec.js';
import { type CliContext, printJson } from '../context.js';

/** spec-template, check-spec: write and validate app specs. */
export function registerSpecCommands(program: Command, ctx: CliContext, run: (fn: () => void | Promise<void>) => Promise<void>, setExitCode: (code: number) => void): void {
  program
    .command('spec-template')
    .description('print an app spec template to fill in (save it as .autocoder/app_spec.txt)')
    .action(() => run(() => ctx.stdout(appSpecTemplate())));

  program
    .command('check-spec')
    .description("validate an app spec: a project's .autocoder/app_spec.txt or a file")
    .argument('<project-or-file>', 'registered name, project folder, or spec file')
    .option('--json', 'print JSON: {"ok","problems":[{"line","message"}],"projectName","featureCount"}')
    .action((target: string, opts: { json?: boolean }) =>
      run(() => {
        const file = specFileFor(ctx, target);
        const check = validateAppSpec(readFileSync(file, 'utf8'));
        if (opts.json) printJson(ctx, check);
        else if (check.ok) ctx.stdout(`${file}: valid${check.featureCount ? ` (about ${check.featureCount} features)` : ''}\n`);
        else ctx.stderr(`${formatSpecProblems(file, check)}\n`);
        if (!check.ok) setExitCode(1);
      }),
    );
}

function specFileFor(ctx: CliContext, target: string): string {
  const asFile = resolve(ctx.cwd, target);
  if (existsSync(asFile) && statSync(asFile).isFile()) return asFile;
  const reg = openRegistry(ctx.env);
  try {
    const spec = resolveProject(reg.registry, target, ctx.cwd).paths.spec;
    if (!existsSync(spec)) throw new AppError('NOT_FOUND', `the project has no app spec yet; write one to ${spec} (\`autocoder spec-template\` prints a template)`);
    return spec;
  } finally {
    reg.close();
  }
}
