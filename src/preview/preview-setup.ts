import { homedir } from 'node:os';
import type { Env } from '../config/env.js';
import { autocoderHome, type ProjectPaths } from '../config/paths.js';
import { resolveRunSettings } from '../config/run-settings.js';
import { projectRunDefaults, registryRunDefaults } from '../config/user-settings.js';
import type { RegistryPort } from '../db/ports.js';
import { decideSandbox, sandboxReadDenyPaths } from '../runner/sandbox.js';

/**
 * The confinement of a project's preview, decided as a run of that project decides it (so the preview runs under the
 * same policy and sandbox as agents' commands): the sandbox setting from the project's, the global and the
 * environment's settings, and what the jail hides (autocoder's home with the server token, credentials, Claude Code's
 * config, the other projects).
 */
export interface PreviewConfinement {
  readonly sandbox: boolean;
  /** Said to the person when the sandbox is off although they did not ask for that. */
  readonly warning: string | null;
  readonly hiddenPaths: string[];
}

export function previewConfinement(
  registry: Pick<RegistryPort, 'getSetting' | 'getProjectSetting' | 'list'>,
  project: { readonly name: string | null; readonly paths: ProjectPaths },
  env: Env,
): PreviewConfinement {
  const settings = resolveRunSettings({
    registry: registryRunDefaults(registry),
    project: project.name === null ? {} : projectRunDefaults(registry, project.name),
    env,
  });
  const decision = decideSandbox(settings.sandbox, process.platform, env.PATH);
  return {
    sandbox: decision.enabled,
    warning: decision.warning,
    hiddenPaths: sandboxReadDenyPaths({
      homes: [env.HOME ?? homedir()],
      autocoderHome: autocoderHome(env),
      claudeConfigDir: env.CLAUDE_CONFIG_DIR,
      otherProjects: registry
        .list()
        .map((p) => p.path)
        .filter((p) => p !== project.paths.root),
      projectRoot: project.paths.root,
    }),
  };
}
