import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcessesUsing } from '../agent/session-processes.js';
import type { CommandCheck } from '../shared/acceptance.js';
import { evaluateBashCommand } from '../security/bash-policy.js';
import { readPolicyFile } from '../security/read-policy-file.js';
import type { Redactor } from '../security/redactor.js';
import { commandFailure, createIncludesScanner } from './expectations.js';
import { confinedArgv, type Confinement } from './jail-runner.js';
import { createMaskedTail } from './output.js';
import { runToEnd, startChild } from './processes.js';

/** What running one check gives: whether it passed, what it saw (masked, its end kept) and why it failed. */
export interface CheckOutcome {
  readonly passed: boolean;
  readonly output: string;
  readonly failure: string | null;
  readonly durationMs: number;
  /** Evidence files it wrote, relative to the evidence folder. */
  readonly evidence: readonly string[];
}

export interface CommandRun {
  /** The verification's checkout (real path): the command's working folder and, for the policy, the project. */
  readonly checkout: string;
  /** The verification's own temp folder: each command gets `check-<n>/` there as its TMPDIR. */
  readonly workDir: string;
  /** Its position in the verification (names its temp folder). */
  readonly n: number;
  readonly env: Readonly<Record<string, string>>;
  readonly confinement: Confinement | null;
  /** The project's allowlist extensions, as agents' commands get them. */
  readonly extraCommands: readonly string[];
  readonly bash: string;
  readonly timeoutMs: number;
  readonly redact: Redactor;
  readonly outputChars: number;
  readonly marker: string;
}

/**
 * A command check: judged by the same Bash policy as an agent's command (a refusal fails the
 * check with the policy's reason, nothing runs), then run with `bash -c` in the checkout (in the
 * jail when the sandbox is on) in a process group of its own, killed at its time limit or on
 * abort; what it left running is stopped when it ends. `expect` decides on its exit code and
 * its whole stdout.
 */
export async function runCommandCheck(
  check: CommandCheck,
  run: CommandRun,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  const started = Date.now();
  const head = `$ ${check.run}\n`;
  const decision = evaluateBashCommand(check.run, {
    projectRoot: run.checkout,
    extraCommands: run.extraCommands,
    realpath: (p) => realpathSync.native(p),
    readFile: readPolicyFile,
  });
  if (decision.decision === 'deny') {
    const failure = `refused by the command policy (${decision.category}): ${decision.reason}`;
    return {
      passed: false,
      output: run.redact(`${head}${failure}`),
      failure: run.redact(failure),
      durationMs: Date.now() - started,
      evidence: [],
    };
  }
  const tmp = join(run.workDir, `check-${run.n}`);
  mkdirSync(tmp, { recursive: true });
  const env = { ...run.env, TMPDIR: tmp };
  const tail = createMaskedTail(run.redact, run.outputChars);
  tail.push(head);
  const stdout = createIncludesScanner(check.expect?.stdoutIncludes);
  const argv = confinedArgv(
    run.confinement,
    { privateDir: run.workDir, checkout: run.checkout, env, marker: run.marker, endsWithProgram: true },
    [run.bash, '-c', check.run],
  );
  const child = startChild({
    argv,
    cwd: run.checkout,
    env,
    onOutput: (stream, text) => {
      if (stream === 'stdout') stdout.push(text);
      tail.push(text);
    },
  });
  const outcome = await runToEnd(child, run.timeoutMs, signal);
  // A daemon that left its process group still carries the command's TMPDIR.
  await stopProcessesUsing(tmp, { graceMs: 500 });
  let failure: string;
  if (outcome.aborted) failure = 'the verification was aborted while the command ran; its processes were stopped';
  else if (outcome.timedOut)
    failure = `the command did not finish within ${seconds(run.timeoutMs)}; its processes were stopped`;
  else if (outcome.error) failure = `the command could not be started: ${outcome.error.message}`;
  else if (outcome.code === null) failure = `the command was ended by ${outcome.signal ?? 'a signal'}`;
  else {
    const why = commandFailure(check.expect, { exitCode: outcome.code, stdoutIncludes: stdout.found });
    tail.push(`\n[exit code ${outcome.code}]`);
    return {
      passed: why === null,
      output: tail.end(),
      failure: why === null ? null : run.redact(why),
      durationMs: outcome.durationMs,
      evidence: [],
    };
  }
  tail.push(`\n[${failure}]`);
  return {
    passed: false,
    output: tail.end(),
    failure: run.redact(failure),
    durationMs: outcome.durationMs,
    evidence: [],
  };
}

/** A time limit as people say it: "60 s", "1.5 s", "250 ms". */
export function seconds(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Number((ms / 1_000).toFixed(1))} s`;
}
