import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { createRunDeps, openRegistry, runClaimPolicy, startDemoModel } from '../../compose.js';
import { autocoderHome, projectPaths } from '../../config/paths.js';
import { runEnvWithProvider } from '../../config/run-provider.js';
import { resolveRunSettings, workerRunSettings, type RunSettings } from '../../config/run-settings.js';
import { projectRunDefaults, registryRunDefaults } from '../../config/user-settings.js';
import type { ProjectStore, RegistryPort, RegistryStore, RunRecord } from '../../db/ports.js';
import { DATABASE_URL_VAR, databaseUrl, openSharedProjectStore } from '../../db/store-location.js';
import { AppError, errorMessage } from '../../domain/errors.js';
import { ensureClone, fetchBranch, shownRemote } from '../../git/remote.js';
import { extraCommands } from '../../projects/policy-extensions.js';
import { SHARED_MAIN } from '../../projects/projects.js';
import { projectRemote, sharedSpec } from '../../projects/shared-project.js';
import { startWorkerPresence, type WorkerPresence } from '../../projects/worker-presence.js';
import { joinRun } from '../../runner/run-loop.js';
import { waitUntil } from '../../runner/wait.js';
import { isSharedRun, sharedRunActive } from '../../projects/run-control.js';
import { sandboxReadDenyPaths } from '../../runner/sandbox.js';
import { DEMO_MODEL } from '../../shared/runs.js';
import type { WorkerFeature } from '../../shared/workers.js';
import { noPromptEnv } from '../../config/env.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { logLevelOption, runnerLogger } from '../logging.js';
import { intIn } from '../int-option.js';
import type { LogLevel } from '../../logging/logger.js';
import { sharedRemote } from './run.js';

/** How often an idle worker looks for a shared run to join. */
const POLL_MS = 2_000;
/** Default of --grace: how long the database or the remote may be out of reach before the worker gives up. */
const DEFAULT_GRACE_S = 120;
/** After giving up, how long the worker waits for its sessions to hand their features back before it exits anyway. */
const EXIT_DEADLINE_MS = 30_000;

interface WorkerOptions {
  concurrency: number;
  workdir?: string;
  name?: string;
  grace: number;
  exitWhenIdle?: boolean;
  logLevel: LogLevel;
}

/** `autocoder worker`: a daemon that works the shared runs of a PostgreSQL store on this machine (#20). */
export function registerWorkerCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
  setExitCode: (code: number) => void,
): void {
  program
    .command('worker')
    .description(
      'work the runs of projects shared through PostgreSQL and a git remote on this machine: coding sessions exactly as `run` starts them, in clones of the remotes, landing on the remote; until stopped (SIGTERM/Ctrl+C hands its features back)',
    )
    .option(
      '--concurrency <n>',
      'coding sessions at once on this machine (1-5, default 1)',
      intIn('--concurrency', 1, 5),
      1,
    )
    .option('--workdir <dir>', 'where the clones live, one folder per project (default: $AUTOCODER_HOME/worker)')
    .option('--name <name>', 'the name it registers under (default: this host name); one process per name')
    .option(
      '--grace <seconds>',
      `how long the database or a project's git remote may be out of reach before the worker stops (default ${DEFAULT_GRACE_S})`,
      intIn('--grace', 5, 86_400),
      DEFAULT_GRACE_S,
    )
    .option(
      '--exit-when-idle',
      'exit (0) as soon as no shared run is at work, instead of waiting for the next (a batch machine, a CI job)',
    )
    .addOption(logLevelOption("the sessions (to the clone's .autocoder/logs/runner.log)"))
    .action((opts: WorkerOptions) => run(() => workerAction(ctx, opts, setExitCode)));
}

async function workerAction(ctx: CliContext, opts: WorkerOptions, setExitCode: (code: number) => void): Promise<void> {
  if (databaseUrl(ctx.env) === undefined)
    throw new AppError(
      'INVALID_INPUT',
      `a worker works projects shared through PostgreSQL: set ${DATABASE_URL_VAR} (or pass --database postgres://…) to the store the projects' runs use`,
    );
  const name = (opts.name ?? hostname()).trim();
  if (!/^[\w.@/:-]{1,100}$/.test(name))
    throw new AppError('INVALID_INPUT', `--name: "${name}" is not a worker name (1-100 letters, digits, . _ - @ / :)`);
  const workdir = resolve(ctx.cwd, opts.workdir ?? join(ctx.env.HOME?.trim() || homedir(), 'autocoder-worker'));
  assertSafeWorkdir(workdir, ctx.env);
  mkdirSync(workdir, { recursive: true });
  const grace = opts.grace * 1000;
  const say = (line: string) => ctx.stdout(`${new Date().toISOString()} ${line}\n`);

  const reg = new ReopeningRegistry(ctx);
  // What this machine's slots work now: its heartbeat tells peers and mission control.
  let current: WorkerFeature[] = [];
  let presence: WorkerPresence;
  try {
    presence = startWorkerPresence({
      registry: {
        registerWorker: (w) => reg.use((r) => r.registerWorker(w)),
        workerHeartbeat: (n, pid, features) => reg.use((r) => r.workerHeartbeat(n, pid, features)),
        stopWorker: (n, pid) => reg.use((r) => r.stopWorker(n, pid)),
      },
      name,
      host: hostname(),
      pid: process.pid,
      slots: opts.concurrency,
      current: () => current,
      onProblem: (problem) => say(`Warning: ${problem}.`),
    });
  } catch (err: unknown) {
    reg.close();
    throw err;
  }
  const controller = new AbortController();
  let stopping: { readonly why: string; readonly code: number } | null = null;
  const stop = (why: string, code: number) => {
    if (stopping !== null) return;
    stopping = { why, code };
    say(why);
    controller.abort();
    // Sessions hand their features back as they stop; a database that is gone cannot take that: do not wait for ever.
    setTimeout(() => {
      say(`Still stopping after ${EXIT_DEADLINE_MS / 1000} s: exiting now; leases still held expire by themselves.`);
      process.exit(code);
    }, EXIT_DEADLINE_MS).unref();
  };
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    stop(`${sig}: stopping; the sessions running hand their features back (again to force quit)…`, EXIT.ok);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The database out of reach for longer than --grace: this worker cannot claim, settle or heartbeat; it stops.
  const health = setInterval(() => {
    const since = presence.failingSince();
    const silent = since === null ? 0 : Date.now() - since;
    if (silent > grace)
      stop(
        `The database has been out of reach for ${Math.round(silent / 1000)} s (more than --grace ${opts.grace} s): stopping this worker.`,
        EXIT.database,
      );
  }, 1_000);
  health.unref();
  say(
    `Worker ${name} on ${hostname()} (pid ${process.pid}): ${opts.concurrency} slot(s), clones in ${workdir}. Waiting for shared runs (Ctrl+C to stop).`,
  );
  let remoteDownSince: number | null = null;
  const lookups = new SharedRunLookups(ctx, workdir);
  try {
    let unreadable = '';
    // Problems said once each (looked at again every 2 s).
    const unreadableProjects = new Set<string>();
    while (!controller.signal.aborted) {
      let found: FoundRun | null;
      try {
        found = reg.use((r) =>
          findSharedRun(
            lookups,
            r.list(),
            (n) => projectRemote(r, n),
            (project, err) => {
              const why = `${project}: its store cannot be read (${errorMessage(err)})`;
              if (!unreadableProjects.has(why)) say(`${why}; trying again.`);
              unreadableProjects.add(why);
            },
          ),
        );
        unreadable = '';
      } catch (err: unknown) {
        // The database out of reach: said once; the heartbeat (now, not in 5 s) starts the --grace count.
        presence.beat();
        const why = errorMessage(err);
        if (why !== unreadable) say(`The database cannot be read (${why}); trying again.`);
        unreadable = why;
        await pause(POLL_MS, controller.signal);
        continue;
      }
      if (found === null) {
        if (opts.exitWhenIdle === true) {
          say('No shared run is at work: exiting (--exit-when-idle).');
          break;
        }
        await pause(POLL_MS, controller.signal);
        continue;
      }
      try {
        await workRun(ctx, opts, workdir, found, controller.signal, say, (features) => {
          current = features.map((f) => ({ project: found.project, featureId: f.featureId, slot: f.slot }));
          presence.beat();
        });
        remoteDownSince = null;
      } catch (err: unknown) {
        const remoteDown = err instanceof AppError && err.details?.remote === 'unreachable';
        say(`${found.project}: ${errorMessage(err)}`);
        if (remoteDown) {
          remoteDownSince ??= Date.now();
          if (Date.now() - remoteDownSince > grace)
            stop(
              `The git remote of ${found.project} has been out of reach for more than --grace ${opts.grace} s: stopping this worker.`,
              EXIT.failure,
            );
        }
      } finally {
        current = [];
      }
      await pause(POLL_MS, controller.signal);
    }
  } finally {
    clearInterval(health);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    presence.stop();
    lookups.close();
    reg.close();
  }
  const ended = stopping as { why: string; code: number } | null;
  say(`Worker ${name} stopped.`);
  if (ended !== null && ended.code !== EXIT.ok) setExitCode(ended.code);
}

/**
 * Agents may read everything in their project, and the sandbox hides autocoder's home only when it does not hold the
 * project: the clones may not live inside `$AUTOCODER_HOME` (the server token, the registry, stored secrets), nor hold
 * it or the home folder.
 */
function assertSafeWorkdir(workdir: string, env: CliContext['env']): void {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const inside = (child: string, parent: string) => {
    const rel = relative(real(parent), real(child));
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  const home = autocoderHome(env);
  if (inside(workdir, home) || inside(home, workdir))
    throw new AppError(
      'INVALID_INPUT',
      `--workdir ${workdir} and $AUTOCODER_HOME (${home}) may not hold one another: agents read everything in their clone`,
    );
  const userHome = env.HOME?.trim() || homedir();
  if (inside(userHome, workdir))
    throw new AppError('INVALID_INPUT', `--workdir ${workdir} holds your home folder; choose a folder of its own`);
}

/**
 * The registry over a connection that is opened again after it failed: a PostgreSQL connection lost once refuses
 * every later call, and a worker outlives database restarts (up to --grace without one).
 */
class ReopeningRegistry {
  private store: RegistryStore | null = null;

  constructor(private readonly ctx: CliContext) {}

  use<T>(fn: (registry: RegistryPort) => T): T {
    this.store ??= openRegistry(this.ctx.env);
    try {
      return fn(this.store.registry);
    } catch (err: unknown) {
      // Whatever failed, the next call starts from a fresh connection (closing a dead one never throws).
      this.close();
      throw err;
    }
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }
}

interface FoundRun {
  readonly project: string;
  readonly remote: string;
  readonly run: RunRecord;
}

/** The first shared project (by name) with a run at work, or null. */
function findSharedRun(
  lookups: SharedRunLookups,
  projects: readonly { readonly name: string }[],
  remoteOf: (name: string) => string | null,
  onProblem: (project: string, err: unknown) => void,
): FoundRun | null {
  for (const p of projects) {
    const remote = remoteOf(p.name);
    if (remote === null) continue;
    let run: RunRecord | undefined;
    try {
      run = lookups.activeRun(p.name);
    } catch (err: unknown) {
      // One project's store that cannot be read (dropped, damaged) does not keep the worker from the others.
      onProblem(p.name, err);
      continue;
    }
    if (run !== undefined) return { project: p.name, remote, run };
  }
  return null;
}

/**
 * The connections an idle worker looks through, one per shared project, kept between looks (a connection costs a
 * worker thread and a round trip to open: every 2 s for every project would load the database for nothing). One that
 * failed is opened again at the next look.
 */
class SharedRunLookups {
  private readonly stores = new Map<string, ProjectStore>();

  constructor(
    private readonly ctx: CliContext,
    private readonly workdir: string,
  ) {}

  /** The project's shared run at work, if any. */
  activeRun(project: string): RunRecord | undefined {
    let store = this.stores.get(project);
    if (store === undefined) {
      // A look only: the clone need not exist yet to read the run (the schema comes from the registry's name).
      store = openSharedProjectStore(projectPaths(join(this.workdir, project)), project, this.ctx.env);
      this.stores.set(project, store);
    }
    try {
      return store.runs
        .active()
        .filter((r) => isSharedRun(r) && sharedRunActive(r, Date.now()))
        .at(-1);
    } catch (err: unknown) {
      store.close();
      this.stores.delete(project);
      throw err;
    }
  }

  close(): void {
    for (const store of this.stores.values()) store.close();
    this.stores.clear();
  }
}

/** Clones (or refreshes) the project's remote and works its run until the run ends or the worker stops. */
async function workRun(
  ctx: CliContext,
  opts: WorkerOptions,
  workdir: string,
  found: FoundRun,
  signal: AbortSignal,
  say: (line: string) => void,
  slotsChanged: (features: readonly { featureId: number; slot: number }[]) => void,
): Promise<void> {
  const clone = join(workdir, found.project);
  const gitRemote = { url: found.remote, env: noPromptEnv(ctx.env) };
  const cloned = await ensureClone(clone, gitRemote, SHARED_MAIN);
  if (cloned === 'cloned') say(`${found.project}: cloned ${shownRemote(found.remote)} into ${clone}.`);
  // The remote answers before any session is started (a clone kept from before asks it nothing by itself).
  else await fetchBranch(clone, SHARED_MAIN, gitRemote);
  const paths = projectPaths(clone);
  mkdirSync(paths.dataDir, { recursive: true });
  const reg = openRegistry(ctx.env);
  let settings: RunSettings;
  let extra: string[];
  let others: string[];
  try {
    const own = resolveRunSettings({
      registry: registryRunDefaults(reg.registry),
      project: projectRunDefaults(reg.registry, found.project),
      env: ctx.env,
      flags: { concurrency: opts.concurrency },
    });
    settings = workerRunSettings(found.run.settings, own);
    extra = extraCommands(reg.registry, found.project);
    const spec = sharedSpec(reg.registry, found.project);
    if (spec !== null) writeFileSync(paths.spec, spec);
    others = readdirSync(workdir)
      .map((d) => join(workdir, d))
      .filter((d) => d !== clone);
  } finally {
    reg.close();
  }
  const demo = settings.model === DEMO_MODEL ? await startDemoModel(ctx.env) : null;
  const store = openSharedProjectStore(paths, found.project, ctx.env, { policy: runClaimPolicy(settings) });
  const log = runnerLogger(ctx, paths, opts.logLevel);
  try {
    const logger = log.logger.child({ project: found.project, worker: true });
    const report = (line: string) => {
      say(`${found.project}: ${line}`);
      logger.info(line);
    };
    const deps = createRunDeps({
      store,
      projectName: found.project,
      settings,
      env: demo?.env ?? runEnvWithProvider(ctx.env, settings),
      report,
      extraCommands: extra,
      sandboxReadDeny: sandboxReadDenyPaths({
        homes: [ctx.env.HOME ?? homedir()],
        autocoderHome: autocoderHome(ctx.env),
        claudeConfigDir: ctx.env.CLAUDE_CONFIG_DIR,
        otherProjects: others,
        projectRoot: clone,
      }),
      logger,
      ...(ctx.runtime ? { runtime: ctx.runtime } : {}),
      remote: sharedRemote(store, found.remote, ctx.env),
      slotsChanged,
    });
    report(`joining run ${found.run.id} with ${settings.concurrency} slot(s).`);
    const result = await joinRun(deps, found.run.id, signal).finally(() => deps.webhooks.drain(1_000));
    report(`${result.reason} (${result.sessions} session(s) here).`);
  } finally {
    store.close();
    await demo?.close();
    log.close();
  }
}

/** Waits `ms`, or less when the worker is stopped. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return waitUntil(Date.now() + ms, Date.now, signal);
}
