import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Where the executable named `name` is on the PATH given as `pathVar` (the first match), or
 * null. Relative PATH entries are skipped: what they name depends on the current folder.
 */
export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // Not here (or not executable here): keep looking in the next folder.
      continue;
    }
  }
  return null;
}

/** Whether an executable named `name` is on the PATH given as `pathVar`. */
export function onPath(name: string, pathVar: string | undefined): boolean {
  return findOnPath(name, pathVar) !== null;
}

/** Whether Claude Code's OS sandbox can run here, and if not, how to fix that. */
export function sandboxSupport(
  platform: NodeJS.Platform,
  pathVar: string | undefined,
): { available: boolean; fix: string | null } {
  if (platform === 'darwin') return { available: true, fix: null };
  if (platform === 'linux') {
    const missing = ['bwrap', 'socat'].filter((tool) => !onPath(tool, pathVar));
    return missing.length === 0
      ? { available: true, fix: null }
      : {
          available: false,
          fix: `install ${missing.map((m) => (m === 'bwrap' ? 'bubblewrap' : m)).join(' and ')} (Debian/Ubuntu: apt-get install bubblewrap socat)`,
        };
  }
  return {
    available: false,
    fix: `Claude Code has no OS sandbox on ${platform}; run autocoder inside a container or VM instead`,
  };
}
