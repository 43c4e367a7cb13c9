import { Option } from 'commander';
import { AppError } from '../domain/errors.js';

/**
 * AutoCoder-2's `--project-dir <path>`, accepted where its README uses it (`run`, `design-review`, `metrics`) as an
 * alias of the `[project]` argument: a registered name or a path, like the argument.
 */
export const projectDirOption = (): Option =>
  new Option('--project-dir <path>', 'alias of the [project] argument (AutoCoder-2): a registered name or a path');

/** The project a command names, by argument or by --project-dir (one of them, not both). */
export function projectOf(argument: string | undefined, projectDir: string | undefined): string {
  if (argument !== undefined && projectDir !== undefined && argument !== projectDir)
    throw new AppError(
      'INVALID_INPUT',
      `give the project once: as the argument ("${argument}") or with --project-dir ("${projectDir}"), not both`,
    );
  const project = argument ?? projectDir;
  if (project === undefined || project.trim() === '')
    throw new AppError('INVALID_INPUT', 'missing project: give a registered name or a path (or --project-dir <path>)');
  return project;
}
