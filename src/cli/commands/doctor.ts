import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { openRegistry } from '../../compose.js';
import { autocoderHome } from '../../config/paths.js';
import { homeEnvFile } from '../../config/home-env.js';
import { runSetupChecks, systemProbe, withConfiguredProvider, type SetupProbe } from '../../config/setup-checks.js';
import { errorMessage } from '../../domain/errors.js';
import { DATABASE_URL_VAR, databaseUrl, registryLocation } from '../../db/store-location.js';
import { workerStatus } from '../../shared/workers.js';
import { type CliContext, printJson } from '../context.js';

interface DoctorCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix: string | null;
}

const MIN_FREE_BYTES = 2 * 1024 ** 3;

/** Without credentials there is still a way in: the demo runs real Claude Code sessions against a scripted model. */
const DEMO_HINT =
  'No credentials yet? `autocoder demo` builds a small app with the demo model (real Claude Code sessions, no account, no cost), so you can watch how autocoder works first.';

/** doctor: every prerequisite, each failure with the exact fix. The server's setup status uses the same checks. */
export function registerDoctorCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
  setExitCode: (code: number) => void,
): void {
  program
    .command('doctor')
    .description('check Node, Claude Code, credentials, git, Chromium, the sandbox, disk space and the registry')
    .option('--json', 'print JSON: {"ok","checks":[{"id","ok","detail","fix"}],"hints":[…]}')
    .action((opts: { json?: boolean }) =>
      run(() => {
        const checks: DoctorCheck[] = [
          nodeCheck(),
          homeEnvCheck(ctx),
          ...runSetupChecks(configuredProbe(ctx)),
          diskCheck(ctx),
          registryCheck(ctx),
        ];
        const ok = checks.every((c) => c.ok);
        const hints = checks.some((c) => c.id === 'credentials' && !c.ok) ? [DEMO_HINT] : [];
        if (opts.json) printJson(ctx, { ok, checks, hints });
        else {
          for (const c of checks)
            ctx.stdout(
              `${c.ok ? 'ok  ' : 'FAIL'} ${c.id.padEnd(12)} ${c.detail}${c.fix ? `\n     fix: ${c.fix}` : ''}\n`,
            );
          for (const hint of hints) ctx.stdout(`${hint}\n`);
          ctx.stdout(
            ok
              ? 'Everything autocoder needs is in place.\n'
              : 'Fix the items marked FAIL, then run `autocoder doctor` again.\n',
          );
        }
        if (!ok) setExitCode(1);
      }),
    );
}

/**
 * The system probe with the provider from `autocoder config` applied (the plain environment when the settings cannot be
 * read).
 */
function configuredProbe(ctx: CliContext): SetupProbe {
  const probe = systemProbe(ctx.env);
  try {
    const handle = openRegistry(ctx.env);
    try {
      return withConfiguredProvider(probe, handle.registry);
    } finally {
      handle.close();
    }
  } catch {
    return probe;
  }
}

/** Which `$AUTOCODER_HOME/.env` was read and which keys it gave (never their values), or why it was refused. */
function homeEnvCheck(ctx: CliContext): DoctorCheck {
  const id = 'env_file';
  if (ctx.homeEnvError !== undefined) {
    const file = homeEnvFile(ctx.env);
    return { id, ok: false, detail: ctx.homeEnvError.message, fix: `chmod 600 ${file} (or remove it)` };
  }
  const info = ctx.homeEnv;
  if (info === undefined || !info.exists)
    return {
      id,
      ok: true,
      detail: `no ${homeEnvFile(ctx.env)} (optional: variables for autocoder, mode 0600)`,
      fix: null,
    };
  const list = (keys: readonly string[]) => (keys.length === 0 ? 'none' : keys.join(', '));
  const parts = [`${info.file} read: ${list(info.used)}`];
  if (info.overridden.length > 0) parts.push(`set in the environment instead: ${list(info.overridden)}`);
  if (info.ignored.length > 0) parts.push(`ignored (environment only): ${list(info.ignored)}`);
  return { id, ok: true, detail: parts.join('; '), fix: null };
}

function nodeCheck(): DoctorCheck {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { id: 'node', ok: true, detail: `Node.js ${process.versions.node}`, fix: null }
    : {
        id: 'node',
        ok: false,
        detail: `Node.js ${process.versions.node} is too old`,
        fix: 'install Node.js 20 or newer',
      };
}

function diskCheck(ctx: CliContext): DoctorCheck {
  try {
    const stats = statfsSync(dirname(autocoderHome(ctx.env)));
    const free = stats.bavail * stats.bsize;
    const gib = (free / 1024 ** 3).toFixed(1);
    return free >= MIN_FREE_BYTES
      ? { id: 'disk', ok: true, detail: `${gib} GiB free`, fix: null }
      : {
          id: 'disk',
          ok: false,
          detail: `only ${gib} GiB free`,
          fix: 'free at least 2 GiB: each project installs dependencies, and agents keep transcripts and screenshots',
        };
  } catch (err: unknown) {
    return {
      id: 'disk',
      ok: false,
      detail: `cannot read free space (${errorMessage(err)})`,
      fix: 'check that the autocoder home folder is on a mounted, writable disk',
    };
  }
}

function registryCheck(ctx: CliContext): DoctorCheck {
  let url: string | undefined;
  try {
    url = databaseUrl(ctx.env);
  } catch (err: unknown) {
    return {
      id: 'registry',
      ok: false,
      detail: errorMessage(err),
      fix: 'give a URL like postgres://user:password@host:5432/db',
    };
  }
  try {
    const handle = openRegistry(ctx.env);
    try {
      const count = handle.registry.list().length;
      const projects = `${count} project${count === 1 ? '' : 's'}`;
      if (url === undefined) {
        return { id: 'registry', ok: true, detail: `${autocoderHome(ctx.env)}/registry.db (${projects})`, fix: null };
      }
      const now = Date.now();
      const online = handle.registry.workers().filter((w) => workerStatus(w, now) === 'online').length;
      return {
        id: 'registry',
        ok: true,
        detail: `${registryLocation(ctx.env)} (${projects}, ${online} worker${online === 1 ? '' : 's'} online)`,
        fix: null,
      };
    } finally {
      handle.close();
    }
  } catch (err: unknown) {
    if (url !== undefined) {
      return {
        id: 'registry',
        ok: false,
        detail: errorMessage(err),
        fix: `check ${DATABASE_URL_VAR} (or --database): the server running and reachable from here, the user and password, and the user's right to create schemas in that database`,
      };
    }
    return {
      id: 'registry',
      ok: false,
      detail: errorMessage(err),
      fix: `move the broken ${autocoderHome(ctx.env)}/registry.db aside (autocoder never overwrites it), or set AUTOCODER_HOME to another folder`,
    };
  }
}
