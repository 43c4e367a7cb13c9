import type { RegistryPort } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import { validateExtraCommands } from '../security/bash-policy.js';

const KEY = 'policy.extra_commands';

/** Commands the user added to a project's Bash allowlist (kept in the registry, out of the agent's reach). */
export function extraCommands(registry: RegistryPort, project: string | null): string[] {
  if (project === null) return [];
  const raw = registry.getProjectSetting(project, KEY);
  return raw === undefined ? [] : (JSON.parse(raw) as string[]);
}

/** Adds plain command names; shells, interpreters and privilege tools are refused with the reason. */
export function allowCommands(registry: RegistryPort, project: string, names: readonly string[]): string[] {
  const { accepted, rejected } = validateExtraCommands(names);
  if (rejected.length > 0) {
    throw new AppError('INVALID_INPUT', rejected.map((r) => `cannot allow "${r.name}": ${r.reason}`).join('; '));
  }
  const next = [...new Set([...extraCommands(registry, project), ...accepted])].sort();
  registry.setProjectSetting(project, KEY, JSON.stringify(next));
  return next;
}

export function disallowCommand(registry: RegistryPort, project: string, name: string): string[] {
  const current = extraCommands(registry, project);
  if (!current.includes(name)) {
    throw new AppError(
      'NOT_FOUND',
      `"${name}" is not in ${project}'s allowlist extensions (${current.length > 0 ? current.join(', ') : 'none'})`,
    );
  }
  const next = current.filter((c) => c !== name);
  registry.setProjectSetting(project, KEY, JSON.stringify(next));
  return next;
}
