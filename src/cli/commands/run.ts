import { InvalidArgumentError, Option, type Command } from 'commander';
import { createRunDeps, openRegistry, openRunStore, startDemoModel } from '../../compose.js';
import {
  parseRoleModel,
  resolveRunSettings,
  settingSources,
  type RoleModels,
  type RunSettings,
  type RunSettingsLayers,
  type SettingsLayer,
} from '../../config/run-settings.js';
import { ignoredProjectEnvKeys, ignoredProjectEnvWarning, runEnvWithProvider } from '../../config/run-provider.js';
import { projectRunDefaults, registryRunDefaults } from '../../config/user-settings.js';
import { loadWebhookSettings } from '../../config/webhook-settings.js';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '../../shared/runs.js';
import { CHECKPOINT_AGENTS, type CheckpointAgent } from '../../shared/checkpoints.js';
import { LiveView } from '../live-view.js';
import { AppError } from '../../domain/errors.js';
import { resolveProject } from '../../projects/projects.js';
import { extraCommands } from '../../projects/policy-extensions.js';
import { checkpointProject, designReviewProject, runProject } from '../../runner/run-loop.js';
import { activeRun, requestCheckpoint, requestDesignReview } from '../../projects/run-control.js';
import { listPersonas, selectPersonas } from '../../design/personas.js';
import { PersonaNameSchema, type PersonaName } from '../../shared/design.js';
import { basename } from 'node:path';
import { homedir, hostname } from 'node:os';
import { autocoderHome } from '../../config/paths.js';
import { sandboxReadDenyPaths } from '../../runner/sandbox.js';
import { printJson, type CliContext } from '../context.js';
import { projectDirOption, projectOf } from '../project-arg.js';
import { EXIT } from '../exit-codes.js';
import type { Logger, LogLevel } from '../../logging/logger.js';
import type { ProjectStore } from '../../compose.js';
import { DATABASE_URL_VAR, databaseUrl } from '../../db/store-location.js';
import { existsSync, readFileSync } from 'node:fs';
import { noPromptEnv, type Env } from '../../config/env.js';
import { shownRemote } from '../../git/remote.js';
import type { RemoteTarget } from '../../runner/remote-sync.js';
import { projectRemote, SHARED_SPEC_SETTING } from '../../projects/shared-project.js';
import { startWorkerPresence } from '../../projects/worker-presence.js';
import type { WorkerFeature } from '../../shared/workers.js';
import { logLevelOption, runnerLogger } from '../logging.js';
import { intIn } from '../int-option.js';

const positiveInt = (flag: string) => (raw: string) => {
  const n = Number(raw);
  // commander's own error: printed as a usage error (exit 2), not thrown out of the parser.
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${flag} must be a whole number of at least 1, not "${raw}"`);
  return n;
};

/** A dollar amount: a positive number (cents allowed), at most a million. */
const usdAmount = (flag: string) => (raw: string) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1_000_000)
    throw new InvalidArgumentError(`${flag} must be an amount in USD above 0 (e.g. 5 or 0.50), not "${raw}"`);
  return n;
};

/** Collects repeated `--role-model role=model`; a bad one is a usage error (exit 2) naming the roles. */
const roleModelOption = (raw: string, prev: RoleModels = {}): RoleModels => {
  try {
    const { role, model } = parseRoleModel(raw);
    return { ...prev, [role]: model };
  } catch (err: unknown) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
};

/** The longest `run` waits at exit for webhook deliveries still queued or being retried. */
const WEBHOOK_DRAIN_MS = 10_000;

/** run: the single-agent run loop in the foreground. */
export function registerRunCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
  setExitCode: (code: number) => void,
): void {
  program
    .command('run')
    .description('work the project: plan the backlog from the spec if empty, then one coding session per ready feature')
    .argument('[project]', 'registered name or path (or --project-dir)')
    .addOption(projectDirOption())
    .option('--model <model>', 'model for the agents (default: Claude Code default, or $AUTOCODER_MODEL)')
    .option(
      '--role-model <role=model>',
      'model for one role (initializer, coding, testing, supervisor, reviewer, verifier, designer); repeatable; beats --model for that role',
      roleModelOption,
    )
    .option('--max-iterations <n>', 'stop after this many coding sessions', positiveInt('--max-iterations'))
    .option('--max-turns <n>', 'turn limit per session', positiveInt('--max-turns'))
    .option(
      '--max-cost <usd>',
      `run budget in USD: each session reserves from what is left before it starts (its limit); when it is used up the run drains and stops with exit code ${EXIT.budget} (also the budget.runUsd setting)`,
      usdAmount('--max-cost'),
    )
    .option(
      '--max-feature-cost <usd>',
      "one feature's budget in USD: a feature that used it asks in the Inbox to raise it or skip it instead of another attempt (also budget.featureUsd)",
      usdAmount('--max-feature-cost'),
    )
    .option('--yolo', 'skip browser verification instructions and testing agents (faster, less certain)')
    .option(
      '--concurrency <n>',
      'coding agents at once, each in its own git worktree (1-5; default 1 or the defaultConcurrency setting)',
      intIn('--concurrency', 1, 5),
    )
    .option(
      '--max-concurrency <n>',
      'alias of --concurrency (AutoCoder-2); with a bare --parallel it sets the number',
      intIn('--max-concurrency', 1, 5),
    )
    .option('--parallel [n]', 'alias of --concurrency; bare --parallel means 3', intIn('--parallel', 1, 5))
    .option(
      '--testing-ratio <n>',
      'testing agents re-verifying passing features beside the coding agents (0-3; none with --yolo)',
      intIn('--testing-ratio', 0, 3),
    )
    .option(
      '--testing-agent-ratio <n>',
      "alias of --testing-ratio (AutoCoder-2): that many testing agents kept beside the coding agents, AutoForge's meaning (AutoCoder-2 started them per finished coding session)",
      intIn('--testing-agent-ratio', 0, 3),
    )
    .option(
      '--supervisor',
      'a supervisor session answers the questions agents ask (development placeholders for secrets, reasoned choices) so the run never waits for a person; answers are listed by `autocoder inbox --all` and a human can override them',
    )
    .option('--supervisory-agent', 'alias of --supervisor (AutoCoder-2)')
    .option(
      '--headed',
      "the agents' browsers (playwright-cli) open their windows on this machine's display (DISPLAY or WAYLAND_DISPLAY; without one they stay headless and the log says why); also PLAYWRIGHT_HEADLESS=false",
    )
    .option(
      '--no-wait-for-input',
      'end the run when only features waiting for a human answer are left (default: wait for the answers)',
    )
    .option(
      '--verifier',
      "after a feature's checks pass and before main moves, a read-only verifier session reviews the diff, the spec, the checks and the evidence and passes or rejects it (model: --role-model verifier=M)",
    )
    .option(
      '--regression-every <n>',
      'run the frozen acceptance checks of every passing feature on main (no model) after this many landings and at the end of the run; regressions go back to pending (default 5; 0: never)',
      intIn('--regression-every', 0, 1000),
    )
    .option(
      '--checkpoint-interval <n>',
      'a checkpoint (the project tools, then code, security and performance reviewer sessions) after this many features pass, fix features not counted, and at the end of the run (default 10; 0: never)',
      intIn('--checkpoint-interval', 0, 1000),
    )
    .option('--no-checkpoints', 'no checkpoints in this run (as --checkpoint-interval 0)')
    .option(
      '--design-review-every <n>',
      'a design review (screenshots of the app with axe-core, then the design personas) after this many features pass, design fix features not counted, and at the end of the run (default 0: never)',
      intIn('--design-review-every', 0, 1000),
    )
    .option(
      '--design-iterations <n>',
      "how many iterations a design review may take: the next photographs the app again once the last one's design fix features pass (default 3)",
      intIn('--design-iterations', 1, 10),
    )
    .option(
      '--checkpoint-agents <list>',
      'the reviewers of a checkpoint, comma-separated: code, security, performance (default all three)',
      checkpointAgentList,
    )
    .option(
      '--no-pause-on-critical',
      'a critical finding creates its fix feature but does not drain the run and ask in the Inbox',
    )
    .option(
      '--keep-temp',
      "keep each session's temporary folder (HOME, TMPDIR) after it ends, for debugging; prints where (also AUTOCODER_KEEP_TEMP=1)",
    )
    .addOption(
      new Option(
        '--sandbox <mode>',
        "Claude Code's OS sandbox for agent commands: auto (on where available), on, off",
      ).choices(['auto', 'on', 'off']),
    )
    .option(
      '--no-local-work',
      'a project shared through its git remote (#20): start the run and own it (initializer, testing, reviews, its end) but leave the coding sessions to `autocoder worker`s',
    )
    .addOption(logLevelOption('the run (to .autocoder/logs/runner.log, rotated at 10 MiB, 4 older files kept)'))
    .action((project: string | undefined, opts: RunOptions) =>
      run(() =>
        runAction(ctx, setExitCode, projectOf(project, opts.projectDir), runFlags(opts), opts.logLevel, null, {
          localWork: opts.localWork !== false,
        }),
      ),
    );
}

/** checkpoint: one checkpoint of main now (the active run's, when one is at work). */
export function registerCheckpointCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
  setExitCode: (code: number) => void,
): void {
  program
    .command('checkpoint')
    .description(
      "review main now: the project's own tools (type checker, linter, coverage, audit, build), then code, security and performance reviewer sessions; findings, fix features for critical and major ones, .autocoder/checkpoints/checkpoint-<n>.md",
    )
    .argument('<project>', 'registered name or path')
    .option(
      '--agents <list>',
      'the reviewers, comma-separated: code, security, performance (default: checkpoint.agents)',
      checkpointAgentList,
    )
    .option('--model <model>', 'model for the reviewers (default: model.reviewer, then the general model)')
    .option('--json', 'print the checkpoint, its findings and what it resolved as JSON (the story goes to stderr)')
    .addOption(logLevelOption('the checkpoint (to .autocoder/logs/runner.log)'))
    .action(
      (project: string, opts: { agents?: CheckpointAgent[]; model?: string; json?: boolean; logLevel: LogLevel }) =>
        run(() =>
          runAction(ctx, setExitCode, project, { model: opts.model }, opts.logLevel, {
            kind: 'checkpoint',
            agents: opts.agents,
            json: opts.json === true,
          }),
        ),
    );
}

/** design-review: one design review iteration of main now (the active run's, when one is at work). */
export function registerDesignReviewCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
  setExitCode: (code: number) => void,
): void {
  program
    .command('design-review')
    .description(
      "look at the app now: main's tip started with ./init.sh and photographed page by page (desktop and mobile, dark too where supported) with axe-core, then one read-only session per design persona; findings, fix features for critical and major ones unless every persona approves, .autocoder/design/iteration-<n>/",
    )
    .argument('[project]', 'registered name or path (or --project-dir)')
    .addOption(projectDirOption())
    .option(
      '--personas <list>',
      "the personas, comma-separated: visual-designer, ux-researcher, accessibility-expert, brand-strategist and the project's own (.autocoder/personas/<id>.md); default all",
      personaList,
    )
    .option('--model <model>', 'model for the personas (default: model.designer, then the general model)')
    .option(
      '--iteration <n>',
      "which iteration of the review this is (AutoCoder-2's design/review.py --iteration): 1 (default) starts a review; the personas are told it is iteration N, and at N >= --design-iterations (default 3) it is the review's last, creating no fix features",
      intIn('--iteration', 1, 10),
    )
    .option(
      '--design-iterations <n>',
      'how many iterations the review may take (default: the designIterations setting, else 3)',
      intIn('--design-iterations', 1, 10),
    )
    .option('--json', 'print the iteration, its findings and what it resolved as JSON (the story goes to stderr)')
    .addOption(logLevelOption('the design review (to .autocoder/logs/runner.log)'))
    .action((project: string | undefined, opts: DesignReviewOptions) =>
      run(() =>
        runAction(
          ctx,
          setExitCode,
          projectOf(project, opts.projectDir),
          {
            models: opts.model === undefined ? undefined : { designer: opts.model },
            designIterations: opts.designIterations,
          },
          opts.logLevel,
          { kind: 'design', personas: opts.personas, json: opts.json === true, round: opts.iteration ?? 1 },
        ),
      ),
    );
}

interface DesignReviewOptions {
  projectDir?: string;
  personas?: PersonaName[];
  model?: string;
  iteration?: number;
  designIterations?: number;
  json?: boolean;
  logLevel: LogLevel;
}

/** `--personas visual-designer,copy-editor`: well-formed ids, none twice (the files say whether each exists). */
function personaList(raw: string): PersonaName[] {
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const bad = names.filter((n) => !PersonaNameSchema.safeParse(n).success);
  if (names.length === 0 || bad.length > 0)
    throw new InvalidArgumentError(
      `${bad.length > 0 ? `not a persona id: ${bad.join(', ')}` : 'no persona named'}; give a comma-separated list of ids (lowercase letters, digits and dashes)`,
    );
  return [...new Set(names)];
}

/** The options of `run` as commander parses them, AutoCoder-2's aliases included. */
export interface RunOptions {
  projectDir?: string;
  maxConcurrency?: number;
  testingAgentRatio?: number;
  supervisoryAgent?: boolean;
  headed?: boolean;
  model?: string;
  roleModel?: RoleModels;
  maxIterations?: number;
  maxTurns?: number;
  maxCost?: number;
  maxFeatureCost?: number;
  yolo?: boolean;
  sandbox?: 'auto' | 'on' | 'off';
  concurrency?: number;
  parallel?: number | true;
  testingRatio?: number;
  supervisor?: boolean;
  waitForInput?: boolean;
  keepTemp?: boolean;
  regressionEvery?: number;
  verifier?: boolean;
  checkpointInterval?: number;
  checkpoints?: boolean;
  checkpointAgents?: CheckpointAgent[];
  pauseOnCritical?: boolean;
  designReviewEvery?: number;
  designIterations?: number;
  /** `--no-local-work` (commander's negation: false when given). */
  localWork?: boolean;
  logLevel: LogLevel;
}

/**
 * `checkpoint` or `design-review` instead of a run: the reviewers or personas to ask (default: the settings', all the
 * project's personas), and JSON output.
 */
type CheckpointMode =
  | { readonly kind: 'checkpoint'; readonly agents: CheckpointAgent[] | undefined; readonly json: boolean }
  | {
      readonly kind: 'design';
      readonly personas: PersonaName[] | undefined;
      readonly json: boolean;
      /** `--iteration`: which iteration of the review this one is (1: a new review). */
      readonly round: number;
    };

/** One concurrency from --concurrency, its alias --max-concurrency and --parallel [n] (bare: 3, or the number). */
function concurrencyOf(opts: Pick<RunOptions, 'concurrency' | 'maxConcurrency' | 'parallel'>): number | undefined {
  const named = [
    ['--concurrency', opts.concurrency],
    ['--max-concurrency', opts.maxConcurrency],
    ['--parallel', typeof opts.parallel === 'number' ? opts.parallel : undefined],
  ].filter((e): e is [string, number] => e[1] !== undefined);
  if (new Set(named.map(([, n]) => n)).size > 1)
    throw new AppError(
      'INVALID_INPUT',
      `${named.map(([flag, n]) => `${flag} ${n}`).join(' and ')} disagree: give the number of coding agents once`,
    );
  return named[0]?.[1] ?? (opts.parallel === true ? 3 : undefined);
}

/** Two spellings of one number (ours and AutoCoder-2's) must agree. */
function oneOf(ours: [string, number | undefined], alias: [string, number | undefined]): number | undefined {
  if (ours[1] !== undefined && alias[1] !== undefined && ours[1] !== alias[1])
    throw new AppError('INVALID_INPUT', `${ours[0]} ${ours[1]} and ${alias[0]} ${alias[1]} disagree: give one of them`);
  return ours[1] ?? alias[1];
}

/** The flags layer of `run`'s settings: AutoCoder-2's aliases land on the same settings as ours. */
export function runFlags(opts: RunOptions): SettingsLayer {
  return {
    model: opts.model,
    models: opts.roleModel,
    maxIterations: opts.maxIterations,
    maxTurns: opts.maxTurns,
    maxCostUsd: opts.maxCost,
    maxFeatureCostUsd: opts.maxFeatureCost,
    yolo: opts.yolo,
    sandbox: opts.sandbox,
    concurrency: concurrencyOf(opts),
    testingRatio: oneOf(['--testing-ratio', opts.testingRatio], ['--testing-agent-ratio', opts.testingAgentRatio]),
    supervisor: opts.supervisor === true || opts.supervisoryAgent === true ? true : undefined,
    waitForInput: opts.waitForInput === false ? false : undefined,
    keepTemp: opts.keepTemp,
    headed: opts.headed,
    regressionEvery: opts.regressionEvery,
    verifier: opts.verifier,
    checkpointInterval: opts.checkpoints === false ? 0 : opts.checkpointInterval,
    checkpointAgents: opts.checkpointAgents,
    pauseOnCritical: opts.pauseOnCritical === false ? false : undefined,
    designReviewEvery: opts.designReviewEvery,
    designIterations: opts.designIterations,
  };
}

async function runAction(
  ctx: CliContext,
  setExitCode: (code: number) => void,
  project: string,
  flags: SettingsLayer,
  logLevel: LogLevel,
  checkpoint: CheckpointMode | null,
  options: { readonly localWork: boolean } = { localWork: true },
): Promise<void> {
  const webhooks = loadWebhookSettings(ctx.env);
  const reg = openRegistry(ctx.env);
  let resolved;
  let extra: string[];
  let registryDefaults: Partial<RunSettings>;
  let projectDefaults: Partial<RunSettings>;
  let otherProjects: string[];
  let remoteUrl: string | null;
  try {
    resolved = resolveProject(reg.registry, project, ctx.cwd);
    extra = extraCommands(reg.registry, resolved.name);
    remoteUrl = resolved.name === null ? null : projectRemote(reg.registry, resolved.name);
    if (!options.localWork && remoteUrl === null)
      throw new AppError(
        'INVALID_INPUT',
        `--no-local-work leaves the coding to workers on other machines, which only a project shared through a git remote has (autocoder new ${resolved.name ?? '<name>'} --remote <git-url> with --database)`,
      );
    // Workers on other machines read the spec from the registry: the run shares the one it starts with.
    if (remoteUrl !== null && resolved.name !== null && existsSync(resolved.paths.spec) && checkpoint === null)
      reg.registry.setProjectSetting(
        resolved.name,
        SHARED_SPEC_SETTING,
        JSON.stringify(readFileSync(resolved.paths.spec, 'utf8')),
      );
    // Defaults: the global settings, then the project's own (e.g. a demo project's defaultModel: demo).
    registryDefaults = registryRunDefaults(reg.registry);
    projectDefaults = resolved.name === null ? {} : projectRunDefaults(reg.registry, resolved.name);
    otherProjects = reg.registry.list().map((p) => p.path);
  } finally {
    reg.close();
  }
  // defaults < global settings < project settings < environment (with $AUTOCODER_HOME/.env under it) < flags. Never
  // the project's .env: agents write it (see ignoredProjectEnvKeys).
  const layers: RunSettingsLayers = { registry: registryDefaults, project: projectDefaults, env: ctx.env, flags };
  const settings = resolveRunSettings(layers);
  const ignored = ignoredProjectEnvWarning(ignoredProjectEnvKeys(resolved.paths));
  if (ignored !== null) ctx.stderr(`Warning: ${ignored}\n`);
  const projectName = resolved.name ?? basename(resolved.paths.root);
  const log = runnerLogger(ctx, resolved.paths, logLevel);
  const logger = log.logger.child({ project: projectName });
  // The demo model (scripted, no AI) is served from this process; sessions talk to it only.
  const demo = settings.model === DEMO_MODEL ? await startDemoModel(ctx.env) : null;
  const store = openRunStore(resolved.paths, settings, ctx.env);
  if (checkpoint !== null) {
    // A run is at work: it starts the checkpoint itself, beside its slots (one process owns the project's sessions).
    const active = activeRun(store.runs);
    if (active !== null && checkpoint.kind === 'design') {
      if (checkpoint.round !== 1)
        throw new AppError(
          'INVALID_INPUT',
          `the active run ${active.id} numbers its design review iterations itself: ask it without --iteration, or stop it first`,
        );
      // Checked here, before the run is asked: a bad persona name or file is this command's error.
      const personas = selectPersonas(listPersonas(resolved.paths), checkpoint.personas ?? null).map((p) => p.id);
      requestDesignReview(resolved.paths, checkpoint.personas === undefined ? null : personas);
      store.close();
      await demo?.close();
      log.close();
      if (checkpoint.json) printJson(ctx, { queued: true, runId: active.id, personas });
      else
        ctx.stdout(
          `Asked the active run ${active.id} (pid ${active.pid}) for a design review (${personas.join(', ')}): it starts it at its next step, beside its slots (after an open review's next iteration, if one is waiting for its fixes). Follow it with: autocoder logs ${projectName}\n`,
        );
      return;
    }
    if (active !== null && checkpoint.kind === 'checkpoint') {
      const agents = checkpoint.agents ?? settings.checkpointAgents;
      requestCheckpoint(resolved.paths, agents);
      store.close();
      await demo?.close();
      log.close();
      if (checkpoint.json) printJson(ctx, { queued: true, runId: active.id, agents });
      else
        ctx.stdout(
          `Asked the active run ${active.id} (pid ${active.pid}) for a checkpoint (${agents.join(', ')}): it starts it at its next step, beside its slots. Follow it with: autocoder checkpoints ${projectName}\n`,
        );
      return;
    }
  }
  logger.info(
    {
      settings: {
        model: settings.model ?? null,
        concurrency: settings.concurrency,
        testingRatio: settings.testingRatio,
        yolo: settings.yolo,
        sandbox: settings.sandbox,
        supervisor: settings.supervisor,
        waitForInput: settings.waitForInput,
        maxIterations: settings.maxIterations ?? null,
      },
    },
    'run starting',
  );
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    logger.info({ signal: sig, count: signals }, signals > 1 ? 'second signal: quitting at once' : 'signal: stopping');
    if (signals > 1) process.exit(130);
    ctx.stderr(`${sig}: stopping the current session and handing its feature back (again to force quit)…\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let presence: { stop(): void } | null = null;
  // What this process's coding slots work now, for its heartbeat as a worker (shared stores).
  let slotFeatures: WorkerFeature[] = [];
  try {
    const view = new LiveView(
      {
        isTTY: ctx.terminal !== undefined && checkpoint?.json !== true,
        columns: ctx.terminal?.columns ?? 80,
        // With --json the story goes to stderr: stdout is the JSON alone.
        write: checkpoint?.json === true ? ctx.stderr : ctx.stdout,
      },
      store,
      () => store.runs.latestOfPid(process.pid)?.id ?? null,
    );
    const redraw = view.enabled ? setInterval(() => view.render(), 500) : null;
    if (demo)
      view.report(
        `Model: ${DEMO_MODEL} (${DEMO_MODEL_LABEL}): a built-in script on ${demo.url} plays the agents; no credentials are used and nothing leaves this machine.`,
      );
    // What the run reports to the terminal is its log's story too.
    const report = (line: string) => {
      view.report(line);
      logger.info(line);
    };
    const deps = createRunDeps({
      store,
      projectName,
      settings,
      env: demo?.env ?? runEnvWithProvider(ctx.env, settings),
      report,
      extraCommands: extra,
      settingSource: settingSources(layers),
      sandboxReadDeny: sandboxReadDenyPaths({
        homes: [ctx.env.HOME ?? homedir()],
        autocoderHome: autocoderHome(ctx.env),
        claudeConfigDir: ctx.env.CLAUDE_CONFIG_DIR,
        otherProjects,
        projectRoot: resolved.paths.root,
      }),
      webhooks: webhooks.targets,
      webhookRetryBaseMs: webhooks.retryBaseMs,
      logger,
      ...(ctx.runtime ? { runtime: ctx.runtime } : {}),
      ...(remoteUrl === null ? {} : { remote: sharedRemote(store, remoteUrl, ctx.env) }),
      localWork: options.localWork,
      slotsChanged: (features) => {
        slotFeatures = features.map((f) => ({ project: projectName, featureId: f.featureId, slot: f.slot }));
      },
    });
    // A review on its own (checkpoint or design review): wait for it and its webhooks, then print what it found.
    const solo = async <T>(work: Promise<T>, report: (done: T) => { json: unknown; finished: boolean }) => {
      const done = await work.finally(() => deps.webhooks.drain(WEBHOOK_DRAIN_MS));
      if (redraw) clearInterval(redraw);
      view.clear();
      const { json, finished } = report(done);
      if (checkpoint?.json) printJson(ctx, json);
      if (!finished) setExitCode(1);
    };
    if (checkpoint?.kind === 'design')
      return await solo(
        designReviewProject(deps, checkpoint.personas ?? null, controller.signal, checkpoint.round),
        ({ outcome: { iteration } }) => ({
          json: {
            iteration: store.design.get(iteration.n),
            findings: store.design.findings({ iteration: iteration.n }),
            resolved: store.design.findings({ resolvedIn: iteration.n }),
          },
          finished: iteration.status === 'finished',
        }),
      );
    if (checkpoint !== null)
      return await solo(
        checkpointProject(deps, checkpoint.agents ?? settings.checkpointAgents, controller.signal),
        ({ outcome: { checkpoint: c } }) => ({
          json: {
            checkpoint: store.checkpoints.get(c.n),
            findings: store.checkpoints.findings({ checkpoint: c.n }),
            resolved: store.checkpoints.findings({ resolvedIn: c.n }),
          },
          finished: c.status === 'finished',
        }),
      );
    // On a shared PostgreSQL store this process is one of the run's workers: peers and mission control see it, its
    // heartbeat and its features (#20).
    if (options.localWork) presence = startRunPresence(ctx, () => slotFeatures, settings.concurrency, logger);
    const result = await runProject(deps, controller.signal)
      .catch((err: unknown) => {
        logger.error({ err }, 'the run failed');
        throw err;
      })
      .finally(() => deps.webhooks.drain(WEBHOOK_DRAIN_MS))
      .finally(() => {
        if (redraw) clearInterval(redraw);
        view.clear();
      });
    logger[result.status === 'failed' ? 'error' : 'info'](
      { runId: result.runId, status: result.status, reason: result.reason, sessions: result.sessions },
      'run ended',
    );
    if (result.status === 'failed') setExitCode(1);
    // Scripts can tell a run that stopped at its budget from one that finished.
    else if (result.budgetExhausted === true) setExitCode(EXIT.budget);
  } finally {
    presence?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
    await demo?.close();
    log.close();
  }
}

/**
 * The run's process registered as a worker when the store is a shared PostgreSQL (null otherwise), named
 * `<host>/<pid>`, with the features its sessions work on at each heartbeat. Its own registry connection: the
 * heartbeat never waits on the project store's.
 */
function startRunPresence(
  ctx: CliContext,
  current: () => WorkerFeature[],
  slots: number,
  logger: Logger,
): { stop(): void } | null {
  if (databaseUrl(ctx.env) === undefined) return null;
  const registry = openRegistry(ctx.env);
  try {
    const presence = startWorkerPresence({
      registry: registry.registry,
      name: `${hostname()}/${process.pid}`,
      host: hostname(),
      pid: process.pid,
      slots,
      current,
      onProblem: (problem) => logger.warn(problem),
    });
    return {
      stop() {
        presence.stop();
        registry.close();
      },
    };
  } catch (err: unknown) {
    registry.close();
    throw err;
  }
}

/** The remote a shared project's run lands through, with the project's landing lock on the shared store (#20). */
export function sharedRemote(store: ProjectStore, url: string, env: Env): RemoteTarget {
  if (store.sharedLock === undefined)
    throw new AppError(
      'INVALID_INPUT',
      `the project is shared through ${shownRemote(url)}, which needs its PostgreSQL store: set ${DATABASE_URL_VAR} (or --database)`,
    );
  return { url, env: noPromptEnv(env), lock: store.sharedLock('landing') };
}

/** `--checkpoint-agents code,security`: the reviewer kinds, each known, none twice. */
function checkpointAgentList(raw: string): CheckpointAgent[] {
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const bad = names.filter((n) => !(CHECKPOINT_AGENTS as readonly string[]).includes(n));
  if (names.length === 0 || bad.length > 0)
    throw new InvalidArgumentError(
      `${bad.length > 0 ? `unknown reviewer ${bad.join(', ')}` : 'no reviewer named'}; give a comma-separated list of ${CHECKPOINT_AGENTS.join(', ')}`,
    );
  return [...new Set(names)] as CheckpointAgent[];
}
