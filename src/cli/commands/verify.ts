import { InvalidArgumentError, type Command } from 'commander';
import { basename } from 'node:path';
import { homedir } from 'node:os';
import { openProjectStore, openRegistry, verificationRedactor } from '../../compose.js';
import { autocoderHome } from '../../config/paths.js';
import { resolveRunSettings } from '../../config/run-settings.js';
import { projectRunDefaults, registryRunDefaults } from '../../config/user-settings.js';
import { mainBranch } from '../../git/workspaces.js';
import { extraCommands } from '../../projects/policy-extensions.js';
import { resolveProject } from '../../projects/projects.js';
import { runRegression, regressionClean, type RegressionResult } from '../../runner/regression.js';
import { decideSandbox, sandboxReadDenyPaths } from '../../runner/sandbox.js';
import { checkLabel, failureNote } from '../../runner/verification-report.js';
import type { CliContext } from '../context.js';
import { printJson } from '../context.js';
import { logLevelOption, runnerLogger } from '../logging.js';
import type { LogLevel } from '../../logging/logger.js';

const featureNumber = (raw: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1) throw new InvalidArgumentError(`--feature takes a feature id, not "${raw}"`);
  return n;
};

/**
 * verify: regression without a model. Runs the frozen acceptance checks of the passing features
 * (or one) against main as it is now; a feature whose checks fail goes back to pending with the
 * failing evidence as a note. Exit 0 when everything passed, 1 when something regressed (or could
 * not be verified).
 */
export function registerVerifyCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
  setExitCode: (code: number) => void,
): void {
  program
    .command('verify')
    .description(
      'run the frozen acceptance checks of the passing features against main now (no model); regressions go back to pending; exit 1 when something regressed',
    )
    .argument('<project>', 'registered name or path')
    .option('--feature <n>', 'only this passing feature', featureNumber)
    .option(
      '--json',
      'print JSON: {"commit","clean","features":[{"id","name","result","verificationId","checks","passed","failures","evidenceDir"}],"notVerified":[…]}',
    )
    .addOption(logLevelOption('the verification (to .autocoder/logs/runner.log)'))
    .action((project: string, opts: { feature?: number; json?: boolean; logLevel: LogLevel }) =>
      run(async () => {
        const reg = openRegistry(ctx.env);
        let resolved;
        let extra: string[];
        let otherProjects: string[];
        let settings;
        try {
          resolved = resolveProject(reg.registry, project, ctx.cwd);
          extra = extraCommands(reg.registry, resolved.name);
          otherProjects = reg.registry.list().map((p) => p.path);
          // The sandbox and Chromium as a run of this project would have them.
          settings = resolveRunSettings({
            registry: registryRunDefaults(reg.registry),
            project: resolved.name === null ? {} : projectRunDefaults(reg.registry, resolved.name),
            env: ctx.env,
          });
        } finally {
          reg.close();
        }
        const sandbox = decideSandbox(settings.sandbox, process.platform, ctx.env.PATH);
        if (sandbox.warning) ctx.stderr(`${sandbox.warning}\n`);
        const store = openProjectStore(resolved.paths, { create: false, env: ctx.env });
        const log = runnerLogger(ctx, resolved.paths, opts.logLevel);
        const projectName = resolved.name ?? basename(resolved.paths.root);
        try {
          const main = mainBranch(resolved.paths.root);
          const result = await runRegression(
            {
              paths: store.paths,
              features: store.features,
              verifications: store.verifications,
              claims: store.claims,
              env: ctx.env,
              settings,
              extraCommands: extra,
              sandboxReadDeny: sandboxReadDenyPaths({
                homes: [ctx.env.HOME ?? homedir()],
                autocoderHome: autocoderHome(ctx.env),
                claudeConfigDir: ctx.env.CLAUDE_CONFIG_DIR,
                otherProjects,
                projectRoot: resolved.paths.root,
              }),
              redact: verificationRedactor(ctx.env, store),
              logger: log.logger.child({ project: projectName, command: 'verify' }),
              report: opts.json ? () => undefined : (line) => ctx.stdout(`${line}\n`),
            },
            {
              main,
              sandbox: sandbox.enabled,
              by: 'verify',
              ...(opts.feature === undefined ? {} : { featureId: opts.feature }),
            },
            new AbortController().signal,
          );
          if (opts.json) printJson(ctx, jsonOf(result));
          else ctx.stdout(textOf(result, main));
          if (!regressionClean(result)) setExitCode(1);
        } finally {
          store.close();
          log.close();
        }
      }),
    );
}

function jsonOf(result: RegressionResult): Record<string, unknown> {
  return {
    commit: result.commit,
    clean: regressionClean(result),
    features: result.outcomes.map((o) => ({
      id: o.feature.id,
      name: o.feature.name,
      result: o.result,
      verificationId: o.verification.id,
      checks: o.verification.checks.length,
      passed: o.verification.checks.filter((c) => c.passed).length,
      failures: o.verification.checks
        .filter((c) => !c.passed)
        .map((c) => ({ featureId: c.featureId, check: checkLabel(c), failure: c.failure })),
      ...(o.verification.error === null ? {} : { error: o.verification.error }),
      evidenceDir: o.verification.evidenceDir,
    })),
    notVerified: result.notVerified,
  };
}

function textOf(result: RegressionResult, main: string): string {
  const lines = result.outcomes.map((o) => {
    const v = o.verification;
    const counts = `${v.checks.filter((c) => c.passed).length}/${v.checks.length} checks`;
    if (o.result === 'passed') return `#${o.feature.id} ${o.feature.name}: passed (${counts}, ${v.id})`;
    if (o.result === 'regressed')
      return `#${o.feature.id} ${o.feature.name}: REGRESSED, back to pending: ${failureNote(v)}`;
    return `#${o.feature.id} ${o.feature.name}: could not be verified: ${v.error ?? 'unknown error'} (${v.evidenceDir})`;
  });
  for (const f of result.notVerified) lines.push(`#${f.id} ${f.name}: not verified (it has no acceptance checks)`);
  const count = (what: string) => result.outcomes.filter((o) => o.result === what).length;
  lines.push(
    `${main} at ${result.commit.slice(0, 8)}: ${count('passed')} passed, ${count('regressed')} regressed, ${count('error')} could not be verified, ${result.notVerified.length} without checks.`,
  );
  return `${lines.join('\n')}\n`;
}
