import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeSync,
} from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { z } from 'zod';
import { stopProcessesUsing } from '../agent/session-processes.js';
import { findOnPath } from '../config/sandbox-support.js';
import { AppError } from '../domain/errors.js';
import { evaluateBashCommand } from '../security/bash-policy.js';
import { readPolicyFile } from '../security/read-policy-file.js';
import type { Redactor } from '../security/redactor.js';
import { ToolFactSchema, type NewFinding, type ToolFact, type ToolFactKind } from '../shared/checkpoints.js';
import { seconds } from '../verify/command-check.js';
import { confinedArgv, type Confinement } from '../verify/jail-runner.js';
import { createMaskedTail } from '../verify/output.js';
import { runToEnd, startChild } from '../verify/processes.js';
import {
  NODE_TOOL_PACKAGES,
  PATH_TOOLS,
  planToolFacts,
  type ProjectShape,
  type ToolPlan,
  type ToolRunPlan,
} from './detect.js';
import {
  parseBuild,
  parseCoverage,
  parseEslintJson,
  parseExitCode,
  parseNpmAudit,
  parsePipAudit,
  parseTscOutput,
  type BuiltFile,
  type ParsedFact,
} from './tool-output.js';

/**
 * The "facts first" step of a checkpoint: before any reviewer judges the code, the project's own tools run on the
 * checkout of the reviewed commit (type checker, linter, tests with coverage, dependency audit, production build) and
 * what they say is recorded as ToolFacts, with the problems they report as findings. They run with the discipline of
 * a verification's command checks (verify/command-check.ts): each command is judged by the agents' Bash policy (a
 * refusal is an `error` fact and nothing runs), runs in the bubblewrap jail when there is a confinement, in a process
 * group of its own, is killed at its time limit or on abort, and whatever it left running is stopped; its output is
 * masked before it is kept.
 */

export const DEFAULT_TOOL_TIMEOUT_MS = 300_000;
/** Characters kept of each tool's output (its masked end). */
export const FACT_OUTPUT_CHARS = 8_000;
/** Bytes of stdout kept for parsing (a report larger than this is cut, and then unreadable: the summary says so). */
export const STDOUT_LIMIT_BYTES = 20 * 1024 * 1024;
/** The folders a build writes, measured after it. */
export const BUILD_DIRS = ['dist', 'build', 'out'] as const;
/** At most this many built files are measured (a runaway build must not make the walk endless). */
const MAX_BUILT_FILES = 20_000;

const FactsRunLimitsSchema = z.strictObject({
  checkout: z.string().refine((p) => isAbsolute(p), 'the checkout must be an absolute path'),
  workDir: z.string().refine((p) => isAbsolute(p), 'the work folder must be an absolute path'),
  timeoutMs: z.number().int().min(100).max(3_600_000),
  marker: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ and - (it names the jail)'),
  extraCommands: z.array(z.string()),
  env: z.record(z.string(), z.string()),
});

export interface FactsRun {
  /** The checkout of the reviewed commit: the tools' working folder and, for the policy, the project. */
  readonly checkout: string;
  /** The checkpoint's own temp folder: each tool gets `<kind>/` there as TMPDIR (`home/` as HOME if env has none). */
  readonly workDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly confinement: Confinement | null;
  /** The project's allowlist extensions, as agents' commands get them. */
  readonly extraCommands: readonly string[];
  readonly redact: Redactor;
  /** Each tool's time limit. */
  readonly timeoutMs: number;
  /** Names the jail (visible in its command line). */
  readonly marker: string;
}

/** What the checkout holds that decides which tools run (see detect.ts). */
export function inspectCheckout(checkout: string, pathVar: string | undefined): ProjectShape {
  const files = readdirSync(checkout);
  let packageJson: unknown = null;
  if (files.includes('package.json')) {
    try {
      packageJson = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8'));
    } catch {
      packageJson = null;
    }
  }
  const installed = NODE_TOOL_PACKAGES.filter((p) => existsSync(join(checkout, 'node_modules', p, 'package.json')));
  const onPath = PATH_TOOLS.filter((t) => findOnPath(t, pathVar) !== null);
  return { files, packageJson, installed, onPath };
}

/**
 * Runs the tools the checkout has, one after the other (a build and a test run compete for the same cores), and
 * returns one fact per kind (typecheck, lint, coverage, audit, build), in that order. Never throws for a tool's
 * failure: that is a fact. An abort stops the running tool; the tools after it are reported `error` without running.
 */
export async function collectToolFacts(run: FactsRun, signal: AbortSignal): Promise<ToolFact[]> {
  const checked = FactsRunLimitsSchema.safeParse({
    checkout: run.checkout,
    workDir: run.workDir,
    timeoutMs: run.timeoutMs,
    marker: run.marker,
    extraCommands: run.extraCommands,
    env: run.env,
  });
  if (!checked.success)
    throw new AppError(
      'INVALID_INPUT',
      `tool facts: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const facts: ToolFact[] = [];
  for (const plan of planToolFacts(inspectCheckout(run.checkout, run.env.PATH))) {
    facts.push(ToolFactSchema.parse(await factOf(plan, run, signal)));
  }
  return facts;
}

const skipped = (kind: ToolFactKind, summary: string): ToolFact => ({
  kind,
  command: '',
  status: 'skipped',
  exitCode: null,
  durationMs: 0,
  summary,
  output: '',
  figures: {},
  findings: [],
});

async function factOf(plan: ToolPlan, run: FactsRun, signal: AbortSignal): Promise<ToolFact> {
  if ('skip' in plan) return skipped(plan.kind, plan.skip);
  const started = Date.now();
  const base = { kind: plan.kind, command: plan.command, figures: {}, findings: [] };
  const refused = (summary: string): ToolFact => ({
    ...base,
    status: 'error',
    exitCode: null,
    durationMs: Date.now() - started,
    summary: run.redact(summary),
    output: run.redact(`$ ${plan.command}\n${summary}`),
  });
  if (signal.aborted) return refused('the checkpoint was aborted before this tool ran');
  const decision = evaluateBashCommand(plan.command, {
    projectRoot: run.checkout,
    extraCommands: run.extraCommands,
    realpath: (p) => realpathSync.native(p),
    readFile: readPolicyFile,
  });
  if (decision.decision === 'deny')
    return refused(`refused by the command policy (${decision.category}): ${decision.reason}`);
  const bash = run.confinement?.tools.bash ?? findOnPath('bash', run.env.PATH);
  if (bash === null) return refused('bash was not found on PATH');

  const tmp = join(run.workDir, plan.kind);
  mkdirSync(tmp, { recursive: true });
  const home = run.env.HOME ?? join(run.workDir, 'home');
  mkdirSync(home, { recursive: true });
  // No update check or funding message: they would reach the network and add noise to a JSON report.
  const env = { ...run.env, HOME: home, TMPDIR: tmp, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
  const tail = createMaskedTail(run.redact, FACT_OUTPUT_CHARS);
  tail.push(`$ ${plan.command}\n`);
  const stdoutFile = join(run.workDir, `${plan.kind}.stdout`);
  const fd = openSync(stdoutFile, 'w', 0o600);
  let stdoutBytes = 0;
  let stdoutCut = false;
  const argv = confinedArgv(
    run.confinement,
    { privateDir: run.workDir, checkout: run.checkout, env, marker: run.marker, endsWithProgram: true },
    [bash, '-c', plan.command],
  );
  let outcome;
  try {
    const child = startChild({
      argv,
      cwd: run.checkout,
      env,
      onOutput: (stream, text) => {
        tail.push(text);
        if (stream !== 'stdout' || stdoutCut) return;
        const bytes = Buffer.byteLength(text);
        if (stdoutBytes + bytes > STDOUT_LIMIT_BYTES) stdoutCut = true;
        else {
          writeSync(fd, text);
          stdoutBytes += bytes;
        }
      },
    });
    outcome = await runToEnd(child, run.timeoutMs, signal);
    // A daemon that left its process group still carries the tool's TMPDIR.
    await stopProcessesUsing(tmp, { graceMs: 500 });
  } finally {
    closeSync(fd);
  }
  let failure: string | null = null;
  if (outcome.aborted) failure = 'the checkpoint was aborted while the tool ran; its processes were stopped';
  else if (outcome.timedOut)
    failure = `the tool did not finish within ${seconds(run.timeoutMs)}; its processes were stopped`;
  else if (outcome.error) failure = `the tool could not be started: ${outcome.error.message}`;
  else if (outcome.code === null) failure = `the tool was ended by ${outcome.signal ?? 'a signal'}`;
  if (failure !== null || outcome.code === null) {
    const why = failure ?? 'the tool ended without an exit code';
    tail.push(`\n[${why}]`);
    return {
      ...base,
      status: 'error',
      exitCode: null,
      durationMs: outcome.durationMs,
      summary: run.redact(why),
      output: tail.end(),
    };
  }
  const code = outcome.code;
  tail.push(`\n[exit code ${code}]`);
  const output = tail.end();
  const stdout = readFileSync(stdoutFile, 'utf8');
  const parsed = masked(parse(plan, code, stdout, output, run.checkout), run.redact);
  const summary = stdoutCut
    ? `${parsed.summary} (stdout over ${STDOUT_LIMIT_BYTES / 1024 / 1024} MB was cut)`
    : parsed.summary;
  return { ...base, ...parsed, summary, exitCode: code, durationMs: outcome.durationMs, output };
}

function parse(plan: ToolRunPlan, code: number, stdout: string, outputEnd: string, checkout: string): ParsedFact {
  // The failure findings carry the output's end, which is masked already; the evidence field keeps its last part.
  const evidence = outputEnd.slice(-2_000);
  switch (plan.parser) {
    case 'tsc':
      return parseTscOutput(code, stdout);
    case 'eslint-json':
      return parseEslintJson(code, stdout, realpathSync(checkout));
    case 'exit-code':
      return parseExitCode(code, plan.command);
    case 'npm-audit':
      return parseNpmAudit(code, stdout);
    case 'pip-audit':
      return parsePipAudit(code, stdout);
    case 'coverage': {
      const report = plan.reportFile === undefined ? null : join(checkout, plan.reportFile);
      return parseCoverage(code, report !== null && existsSync(report) ? readFileSync(report, 'utf8') : null, evidence);
    }
    case 'build': {
      const { files, dirs } = builtFiles(checkout);
      return parseBuild(code, evidence, files, dirs);
    }
  }
}

/** Findings and summaries come from the tools' output: masked like the output itself. */
function masked(parsed: ParsedFact, redact: Redactor): ParsedFact {
  const m = (s: string | undefined) => (s === undefined ? undefined : redact(s));
  const findings = parsed.findings.map((f): NewFinding => {
    const out: NewFinding = { ...f, category: redact(f.category), title: redact(f.title), detail: redact(f.detail) };
    if (f.file !== undefined) out.file = redact(f.file);
    if (f.evidence !== undefined) out.evidence = m(f.evidence);
    if (f.suggestedFix !== undefined) out.suggestedFix = m(f.suggestedFix);
    return out;
  });
  return { ...parsed, summary: redact(parsed.summary), findings };
}

/** The files of the build folders that exist (relative to the checkout), symlinks not followed. */
export function builtFiles(checkout: string): { files: BuiltFile[]; dirs: string[] } {
  const files: BuiltFile[] = [];
  const dirs: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(checkout, rel))) {
      if (files.length >= MAX_BUILT_FILES) return;
      const child = posix.join(rel, name);
      const stat = lstatSync(join(checkout, child));
      if (stat.isDirectory()) walk(child);
      else if (stat.isFile()) files.push({ path: child, bytes: stat.size });
    }
  };
  for (const dir of BUILD_DIRS) {
    const abs = join(checkout, dir);
    if (!existsSync(abs) || !lstatSync(abs).isDirectory()) continue;
    dirs.push(`${dir}/`);
    walk(dir);
  }
  return { files, dirs };
}
