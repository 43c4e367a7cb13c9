import { realpathSync } from 'node:fs';
import type { ToolGuard } from '../agent/runtime.js';
import { evaluateBashCommand, type PolicyContext } from '../security/bash-policy.js';
import { checkFileToolCall } from '../security/file-guard.js';
import { readPolicyFile } from '../security/read-policy-file.js';
import { jailedInitCommand } from './init-jail.js';

export interface ToolGuardOptions extends Omit<PolicyContext, 'projectRoot'> {
  /** The session's init.sh jail script: an allowed `./init.sh` runs through it (see init-jail.ts). */
  readonly initJail?: string;
}

/**
 * The PreToolUse decision for one session: Bash goes through the shell policy, file tools
 * through the file guard. Anything the policy cannot judge is refused. Both get the real file
 * system: realpath for symlinks, and a reader for files whose content decides (project .npmrc,
 * playwright-cli configs, the file an Edit changes). With an init.sh jail, an allowed
 * `./init.sh [args]` is rewritten to run in it.
 */
export function createToolGuard(projectRoot: string, options: ToolGuardOptions = {}): ToolGuard {
  const root = realpathSync(projectRoot);
  const realpath = (p: string) => realpathSync.native(p);
  const io = { realpath, readFile: readPolicyFile };
  const { initJail, ...policy } = options;
  return (toolName, input, context) => {
    if (toolName === 'Bash') {
      const command = input.command;
      if (typeof command !== 'string') return { allow: false, reason: 'Bash needs a "command" string' };
      const decision = evaluateBashCommand(command, {
        ...policy,
        projectRoot: root,
        ...io,
        ...(context.cwd ? { cwd: context.cwd } : {}),
      });
      if (decision.decision !== 'allow')
        return { allow: false, reason: `command refused (${decision.category}): ${decision.reason}` };
      const jailed = initJail === undefined ? null : jailedInitCommand(command, initJail);
      return jailed === null ? { allow: true } : { allow: true, input: { ...input, command: jailed } };
    }
    return checkFileToolCall(toolName, input, { projectRoot: root, ...io });
  };
}
