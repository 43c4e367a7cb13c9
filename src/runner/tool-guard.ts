import { realpathSync } from 'node:fs';
import type { ToolGuard } from '../agent/runtime.js';
import { evaluateBashCommand, type PolicyContext } from '../security/bash-policy.js';
import { checkFileToolCall } from '../security/file-guard.js';
import { readPolicyFile } from '../security/read-policy-file.js';

/**
 * The PreToolUse decision for one session: Bash goes through the shell policy, file tools
 * through the file guard. Anything the policy cannot judge is refused. Both get the real file
 * system: realpath for symlinks, and a reader for files whose content decides (project .npmrc,
 * playwright-cli configs, the file an Edit changes).
 */
export function createToolGuard(projectRoot: string, options: Omit<PolicyContext, 'projectRoot'> = {}): ToolGuard {
  const root = realpathSync(projectRoot);
  const realpath = (p: string) => realpathSync.native(p);
  const io = { realpath, readFile: readPolicyFile };
  return (toolName, input, context) => {
    if (toolName === 'Bash') {
      const command = input.command;
      if (typeof command !== 'string') return { allow: false, reason: 'Bash needs a "command" string' };
      const decision = evaluateBashCommand(command, { ...options, projectRoot: root, ...io, ...(context.cwd ? { cwd: context.cwd } : {}) });
      return decision.decision === 'allow' ? { allow: true } : { allow: false, reason: `command refused (${decision.category}): ${decision.reason}` };
    }
    return checkFileToolCall(toolName, input, { projectRoot: root, ...io });
  };
}
