/**
 * Real-binary parallel speed-up: `autocoder run --concurrency k --yolo` (the real CLI, the real
 * Claude Code binary from the SDK package) on a fresh project per run, against the scripted
 * model server in this process, for k = 1 and k = 3. The initializer plans a 15-feature DAG;
 * every coding session lands its feature through the merge queue (landingCodingSession). So
 * that a session's length is model time rather than Claude Code start-up, the scripted model
 * "works" before its first three replies of each coding session (write, commit, mark passing):
 * a seeded 300–800 ms each, the same for every run.
 *
 * Wall time = spawn of `autocoder run` → its exit. Prints wall k = 1, wall k = 3, their ratio,
 * and the ideal ratio max(critical path, total / 3) / total from the synthetic delays alone.
 * Also, from the project database: the coding phase alone, sessions, refused landings, those sent
 * back to the agent to rebase and those the merge queue rebased itself (feature.passed `rebased`),
 * how long slots sat idle while a feature was ready, and the ratio k = 1's own session lengths
 * would give with perfect scheduling and no slow-down from running side by side.
 * `--sandbox off` runs both without Claude Code's OS sandbox (what the sandbox's per-session start costs the ratio).
 * Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { openProjectStore } from '../src/compose.js';
import { projectPaths } from '../src/config/paths.js';
import type { Feature, SessionRecord } from '../src/db/ports.js';
import { agentTestEnv } from '../test/support/agent-env.js';
import { CLI, REPO_ROOT } from '../test/support/cli-process.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  initializerSession,
  landingCodingSession,
  roleScript,
  SAMPLE_SPEC,
  startScriptedModelServer,
  type PlannedFeature,
  type Script,
} from '../test/support/fake-anthropic/index.js';
import { mulberry32 } from '../test/support/prng.js';
import { scriptedProject } from '../test/support/scripted-run.js';

const SLOTS = [1, 3] as const;
const REPEATS = 2;
const SEED = 15;
/** Model turns of a coding session that "work" (write, commit, first mark passing). */
const WORK_TURNS = 3;
const WORK_MIN_MS = 300;
const WORK_MAX_MS = 800;
/** A run that takes longer than this is stopped (SIGTERM, then SIGKILL) and reported. */
const RUN_TIMEOUT_MS = 240_000;
/** The machine's cores: a run cannot finish before its CPU time spread over all of them. */
const CORES = availableParallelism();
/** `--sandbox auto|on|off` (default auto, as `autocoder run`): the runs' Claude Code sandbox. */
const SANDBOX = (() => {
  const { values } = parseArgs({ args: process.argv.slice(3), options: { sandbox: { type: 'string' } } });
  const mode = values.sandbox ?? 'auto';
  if (!['auto', 'on', 'off'].includes(mode)) throw new Error(`--sandbox takes auto, on or off, not "${mode}"`);
  return mode;
})();

const DAG_TEXT = 'root #1 → 3 chains of 3 (#2–4, #5–7, #8–10) → join #11 → #12; side tasks #13–15 independent';
const f = (name: string, deps: number[] = []): PlannedFeature => ({
  category: 'bench',
  name,
  description: `${name} (parallel bench)`,
  steps: ['check'],
  ...(deps.length > 0 ? { depends_on_indices: deps } : {}),
});
/** The backlog; depends_on_indices are 0-based, so feature #n is FEATURES[n - 1]. */
const FEATURES: PlannedFeature[] = [
  f('Root'),
  f('A1', [0]),
  f('A2', [1]),
  f('A3', [2]),
  f('B1', [0]),
  f('B2', [4]),
  f('B3', [5]),
  f('C1', [0]),
  f('C2', [7]),
  f('C3', [8]),
  f('Join', [3, 6, 9]),
  f('Finish', [10]),
  f('Side 1'),
  f('Side 2'),
  f('Side 3'),
];

/** WORK[n - 1][turn]: the delay before that reply of feature #n's session. */
const WORK: number[][] = (() => {
  const rnd = mulberry32(SEED);
  return FEATURES.map(() =>
    Array.from({ length: WORK_TURNS }, () => WORK_MIN_MS + Math.floor(rnd() * (WORK_MAX_MS - WORK_MIN_MS + 1))),
  );
})();

const depsOf = (i: number): readonly number[] => FEATURES[i]?.depends_on_indices ?? [];

/** max(critical path, total / k) over per-feature durations (indices as in FEATURES). */
function lowerBound(durations: readonly number[], k: number): { cp: number; total: number; lb: number } {
  const finish: number[] = [];
  durations.forEach((d, i) => (finish[i] = d + Math.max(0, ...depsOf(i).map((j) => finish[j] ?? 0))));
  const cp = Math.max(...finish);
  const total = durations.reduce((a, b) => a + b, 0);
  return { cp, total, lb: Math.max(cp, total / k) };
}

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnedAt: number;
  readonly wallMs: number;
  readonly timedOut: boolean;
  /** User + system CPU of the CLI and the processes it waited for; NaN when the shell did not say. */
  readonly cpuMs: number;
}

/** The children's line of `times` (the last two `NmS.SSs` figures of stderr: user and system), in ms. */
function cpuOf(stderr: string): number {
  const figures = [...stderr.matchAll(/(\d+)m([\d.]+)s/g)].slice(-2);
  if (figures.length < 2) return NaN;
  return figures.reduce((sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000, 0);
}

/**
 * The real CLI in a child, without blocking this event loop (the model server lives here). It runs under a shell
 * whose `times` prints, after the CLI exits, the CPU time of the CLI and every process it waited for (Claude Code,
 * git, the sandbox's helpers): the run's whole CPU.
 */
function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CliRun> {
  const spawnedAt = Date.now();
  const t0 = performance.now();
  const child = spawn('/bin/sh', ['-c', '"$0" "$@"; s=$?; times >&2; exit $s', process.execPath, CLI, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A group of its own, so a time-out stops the CLI and what it started, not only the shell.
    detached: true,
  });
  const stop = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch (err: unknown) {
      // ESRCH: the group is gone already, which is what we want.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => {
    timedOut = true;
    stop('SIGTERM');
    setTimeout(() => stop('SIGKILL'), 10_000).unref();
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        status: code,
        stdout,
        stderr,
        spawnedAt,
        wallMs: performance.now() - t0,
        timedOut,
        cpuMs: cpuOf(stderr),
      });
    });
  });
}

interface RunFigures {
  readonly k: number;
  readonly wallMs: number;
  /** The run's CPU: the CLI and every process it waited for (CliRun.cpuMs). */
  readonly cpuMs: number;
  readonly ok: boolean;
  readonly note: string;
  /** Spawn → first coding claim (CLI start, initializer, worktree set-up). */
  readonly beforeCodingMs: number;
  /** First coding claim → last coding session end. */
  readonly codingMs: number;
  /** Last coding session end → CLI exit. */
  readonly afterCodingMs: number;
  readonly codingSessions: number;
  readonly refusedLandings: number;
  /** feature_mark_passing answers that told the agent to rebase (a conflict the runner's own rebase hit, or before). */
  readonly sentBack: number;
  /** Landings the merge queue rebased onto main itself (feature.passed with rebased). */
  readonly runnerRebased: number;
  /** Per feature (index as in FEATURES): its claim → its session's end, from its last session. */
  readonly featureMs: number[];
  /** Slot-seconds a slot was free while a feature was ready and unclaimed. */
  readonly idleReadyMs: number;
  readonly idleReadyAt: string[];
  readonly maxParallel: number;
  /** Sessions that did not land their feature: outcome, the CLI's line, the first failed tool call. */
  readonly retries: string[];
}

/** The model: the initializer plans FEATURES; a coding session works WORK[n - 1][turn] before each reply and lands. */
function benchScript(): Script {
  const inner = roleScript({ initializer: initializerSession(FEATURES), coding: landingCodingSession() });
  return async (conv) => {
    const id = assignedFeature(conv);
    const ms = id === null ? 0 : (WORK[id - 1]?.[conv.turn] ?? 0);
    if (ms > 0) await sleep(ms);
    return inner(conv);
  };
}

export async function runOnce(k: number): Promise<RunFigures> {
  const root = mkdtempSync(join(tmpdir(), `ac-bench-par-k${k}-`));
  const server = await startScriptedModelServer(benchScript());
  try {
    mkdirSync(join(root, 'tmp'));
    const env = agentTestEnv(root, server.url, { TMPDIR: join(root, 'tmp'), AUTOCODER_SANDBOX: SANDBOX });
    const specFile = join(root, 'spec.txt');
    writeFileSync(specFile, SAMPLE_SPEC);
    const dir = join(root, 'notes');
    const created = await runCli(['new', 'notes', '--dir', dir, '--spec', specFile], env, 60_000);
    if (created.status !== 0)
      throw new Error(`autocoder new failed (${created.status}): ${created.stderr || created.stdout}`);

    const run = await runCli(['run', 'notes', '--concurrency', String(k), '--yolo'], env, RUN_TIMEOUT_MS);
    const exitAt = run.spawnedAt + run.wallMs;
    const allPass = run.stdout.includes(`All ${FEATURES.length} features pass.`);
    const ok = run.status === 0 && allPass && !run.timedOut;
    const note = ok
      ? ''
      : `exit ${run.status}${run.timedOut ? ' (timed out)' : ''}: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ')}`;

    const refusedLandings = server.requests.filter((r) =>
      r.lastToolResults.some((t) => t.name === FEATURE_TOOL('feature_mark_passing') && t.isError),
    ).length;
    // Landings sent back to the agent to rebase (once per call: Claude Code may send a request twice).
    const sentBack = new Set(
      server.requests.flatMap((r) =>
        r.lastToolResults
          .filter((t) => t.name === FEATURE_TOOL('feature_mark_passing') && t.isError && /git rebase/.test(t.text))
          .map((t) => t.toolUseId),
      ),
    ).size;
    const store = openProjectStore(projectPaths(dir), { create: false });
    let features: Feature[];
    let sessions: SessionRecord[];
    let runnerRebased: number;
    try {
      features = store.features.list();
      sessions = store.sessions.list();
      // Landings the merge queue rebased itself (their feature.passed event says so).
      runnerRebased = store.events
        .ofTypes(['feature.passed'])
        .filter((e) => e.type === 'feature.passed' && e.payload.rebased === true).length;
    } finally {
      store.close();
    }
    const misplaced = features.filter((ft) => FEATURES[ft.id - 1]?.name !== ft.name);
    if (misplaced.length > 0)
      throw new Error(
        `feature ids do not follow the plan: ${misplaced.map((ft) => `#${ft.id} ${ft.name}`).join(', ')}`,
      );
    const passedBy = new Map(features.map((ft) => [ft.id, ft.passedAt ?? Infinity]));
    const retries = sessions
      .filter(
        (se) => se.role === 'coding' && (se.endedAt ?? Infinity) < (passedBy.get(se.featureIds[0] ?? -1) ?? Infinity),
      )
      .map((se) => {
        const id = se.featureIds[0] ?? -1;
        const line = run.stdout.split('\n').find((l) => l.includes(`feature #${id} is now`)) ?? '';
        const said = server.requests
          .filter(
            (r) =>
              r.prompt.includes(`Coding session: feature #${id} of`) &&
              r.at >= se.startedAt &&
              r.at <= (se.endedAt ?? Infinity),
          )
          .flatMap((r) => r.lastToolResults)
          .filter((t) => t.isError)
          .map(
            (t) =>
              `${t.name}: ${t.text
                .replace(/<system-reminder>[\s\S]*$/, '')
                .replace(/\s+/g, ' ')
                .trim()
                .slice(0, 240)}`,
          )
          .at(0);
        return `#${id} ${se.outcome ?? se.status}${se.error ? `: ${se.error.slice(0, 160)}` : ''} (${line.trim()})${said ? `; first tool error: ${said}` : ''}`;
      });
    return {
      k,
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
      ok,
      note,
      ...timeline(k, features, sessions, run.spawnedAt, exitAt),
      refusedLandings,
      sentBack,
      runnerRebased,
      retries,
    };
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The same run in this process with the scripted runtime instead of Claude Code (test/support/scripted-runtime.ts:
 * it runs the agent's Bash for real and calls the feature tools' handlers, but starts no Claude Code): the harness's
 * own parallel efficiency (scheduling, worktrees, the merge queue, git), without the CPU of three Claude Code
 * processes competing for this machine's cores.
 */
export async function runHarnessOnly(
  k: number,
): Promise<{ wallMs: number; codingMs: number; ok: boolean; rebased: number }> {
  const project = scriptedProject(benchScript(), { prefix: `ac-bench-par-inproc-k${k}-` });
  try {
    const t0 = performance.now();
    const startedAt = Date.now();
    const result = await project.run({ concurrency: k, yolo: true });
    const wallMs = performance.now() - t0;
    return project.inspect((store) => {
      const features = store.features.list();
      const rebased = store.events
        .ofTypes(['feature.passed'])
        .filter((e) => e.type === 'feature.passed' && e.payload.rebased === true).length;
      return {
        wallMs,
        codingMs: timeline(k, features, store.sessions.list(), startedAt, startedAt + wallMs).codingMs,
        ok: result.reason === `All ${FEATURES.length} features pass.`,
        rebased,
      };
    });
  } finally {
    project.cleanup();
  }
}

/** Phases, per-feature lengths, and slot time lost while ready work waited, from the database. */
function timeline(
  k: number,
  features: readonly Feature[],
  sessions: readonly SessionRecord[],
  spawnedAt: number,
  exitAt: number,
) {
  const coding = sessions.filter((s) => s.role === 'coding').sort((a, b) => a.startedAt - b.startedAt);
  const byFeature = new Map(features.map((ft) => [ft.id, ft]));
  const seen = new Set<number>();
  // A slot is busy from the claim (first attempt: the feature's started_at; worktree set-up
  // comes before the session row) to the session's end.
  const busy = coding.map((s) => {
    const id = s.featureIds[0] ?? -1;
    const claimedAt = !seen.has(id) ? (byFeature.get(id)?.startedAt ?? s.startedAt) : s.startedAt;
    seen.add(id);
    return { id, from: Math.min(claimedAt, s.startedAt), to: s.endedAt ?? exitAt };
  });
  const featureMs: number[] = FEATURES.map(() => NaN);
  for (const b of busy) if (b.id >= 1 && b.id <= FEATURES.length) featureMs[b.id - 1] = b.to - b.from;
  const firstClaim = Math.min(...busy.map((b) => b.from));
  const lastEnd = Math.max(...busy.map((b) => b.to));

  // Sweep the coding phase: in each interval between events, free slots × ready-and-unclaimed features.
  const readyAt = (ft: Feature) =>
    Math.max(firstClaim, ...ft.dependencies.map((d) => byFeature.get(d)?.passedAt ?? Infinity));
  const points = [
    ...new Set([
      firstClaim,
      lastEnd,
      ...busy.flatMap((b) => [b.from, b.to]),
      ...features.map(readyAt),
      ...features.map((ft) => ft.startedAt ?? Infinity),
    ]),
  ]
    .filter((t) => Number.isFinite(t) && t >= firstClaim && t <= lastEnd)
    .sort((a, b) => a - b);
  let idleReadyMs = 0;
  let maxParallel = 0;
  const idleReadyAt: string[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [t0, t1] = [points[i]!, points[i + 1]!];
    const running = busy.filter((b) => b.from <= t0 && b.to > t0).length;
    maxParallel = Math.max(maxParallel, running);
    const waiting = features.filter((ft) => readyAt(ft) <= t0 && (ft.startedAt ?? Infinity) > t0);
    const lost = Math.min(k - running, waiting.length) * (t1 - t0);
    if (lost > 0) {
      idleReadyMs += lost;
      if (t1 - t0 >= 50)
        idleReadyAt.push(
          `+${((t0 - spawnedAt) / 1000).toFixed(1)}s ${(t1 - t0).toFixed(0)} ms: ${running}/${k} busy, ready ${waiting.map((ft) => `#${ft.id}`).join(' ')}`,
        );
    }
  }
  return {
    beforeCodingMs: firstClaim - spawnedAt,
    codingMs: lastEnd - firstClaim,
    afterCodingMs: exitAt - lastEnd,
    codingSessions: coding.length,
    featureMs,
    idleReadyMs,
    idleReadyAt,
    maxParallel,
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function run(): Promise<void> {
  const model = WORK.map((w) => w.reduce((a, b) => a + b, 0));
  const ideal1 = lowerBound(model, 1);
  const ideal3 = lowerBound(model, 3);
  const idealRatio = ideal3.lb / ideal1.lb;
  console.log(
    `parallel benchmark: ${FEATURES.length} features, real Claude Code binary, scripted model; autocoder run --concurrency k --yolo; sandbox ${SANDBOX}`,
  );
  console.log(`  DAG: ${DAG_TEXT}`);
  console.log(
    `  model "work" per coding session: ${WORK_TURNS} replies × ${WORK_MIN_MS}–${WORK_MAX_MS} ms (seed ${SEED}): ${(Math.min(...model) / 1000).toFixed(2)}–${(Math.max(...model) / 1000).toFixed(2)} s, total ${s(ideal1.total)}`,
  );
  console.log(
    `  ideal from the delays alone: critical path ${s(ideal3.cp)}, total / 3 ${s(ideal3.total / 3)} → k = 3 ${s(ideal3.lb)} vs k = 1 ${s(ideal1.lb)}, ratio ${idealRatio.toFixed(3)}`,
  );
  console.log('');

  const results: RunFigures[][] = [];
  for (let rep = 1; rep <= REPEATS; rep++) {
    const pair: RunFigures[] = [];
    for (const k of SLOTS) {
      const load = loadavg()[0] ?? 0;
      const r = await runOnce(k);
      pair.push(r);
      console.log(
        `  run ${rep} k = ${k} (load ${load.toFixed(1)}): wall ${s(r.wallMs)}${r.ok ? '' : ` FAILED ${r.note}`} = before coding ${s(r.beforeCodingMs)} + coding ${s(r.codingMs)} + exit ${s(r.afterCodingMs)}; ` +
          `${r.codingSessions} coding sessions (+1 initializer), ${r.refusedLandings} landings refused, ${r.sentBack} sent back to the agent to rebase, ${r.runnerRebased} rebased by the runner, max ${r.maxParallel} at once, ` +
          `mean feature ${s(mean(r.featureMs.filter(Number.isFinite)))}, slots idle while work was ready ${s(r.idleReadyMs)}, ` +
          `CPU ${s(r.cpuMs)} (${((100 * r.cpuMs) / (r.wallMs * CORES)).toFixed(0)}% of ${CORES} cores over the wall time)`,
      );
      for (const line of r.retries) console.log(`      session without landing: ${line}`);
      for (const line of r.idleReadyAt.slice(0, 6)) console.log(`      idle with ready work: ${line}`);
      if (r.idleReadyAt.length > 6) console.log(`      … ${r.idleReadyAt.length - 6} more`);
    }
    results.push(pair);
    const [one, three] = pair as [RunFigures, RunFigures];
    // What k = 3 could reach with k = 1's own session lengths: serial part + LB of those lengths.
    const measured = lowerBound(
      one.featureMs.map((x) => (Number.isFinite(x) ? x : 0)),
      3,
    );
    const serial = one.wallMs - one.codingMs;
    const achievable = (serial + measured.lb) / one.wallMs;
    console.log(
      `  run ${rep}: wall k = 1 ${s(one.wallMs)}, k = 3 ${s(three.wallMs)}, ratio k3/k1 ${(three.wallMs / one.wallMs).toFixed(3)}; ` +
        `coding phase ${s(one.codingMs)} → ${s(three.codingMs)}, ratio ${(three.codingMs / one.codingMs).toFixed(3)}; ` +
        `ideal ${idealRatio.toFixed(3)} (delays only), ${achievable.toFixed(3)} (k = 1's session lengths, no slow-down side by side); ` +
        `the k = 3 run's CPU alone needs ${s(three.cpuMs / CORES)} on ${CORES} cores, ratio ≥ ${(three.cpuMs / CORES / one.wallMs).toFixed(3)}`,
    );
    console.log('');
  }

  const ratios = results.map(([a, b]) => (b as RunFigures).wallMs / (a as RunFigures).wallMs);
  const coding = results.map(([a, b]) => (b as RunFigures).codingMs / (a as RunFigures).codingMs);
  const slowdown = results.map(
    ([a, b]) =>
      mean((b as RunFigures).featureMs.filter(Number.isFinite)) /
      mean((a as RunFigures).featureMs.filter(Number.isFinite)),
  );
  console.log(`summary over ${REPEATS} runs:`);
  console.log(`  wall k = 1            ${results.map(([a]) => s((a as RunFigures).wallMs)).join(', ')}`);
  console.log(`  wall k = 3            ${results.map(([, b]) => s((b as RunFigures).wallMs)).join(', ')}`);
  console.log(
    `  ratio k = 3 / k = 1   ${ratios.map((r) => r.toFixed(3)).join(', ')} (mean ${mean(ratios).toFixed(3)}); ideal ${idealRatio.toFixed(3)}`,
  );
  console.log(
    `  coding phase ratio    ${coding.map((r) => r.toFixed(3)).join(', ')} (mean ${mean(coding).toFixed(3)})`,
  );
  console.log(
    `  sent back to rebase   ${results.map((pair) => pair.map((r) => `k = ${r.k}: ${r.sentBack}`).join(' ')).join('; ')} (of ${FEATURES.length} landings per run)`,
  );
  console.log(
    `  runner rebased        ${results.map((pair) => pair.map((r) => `k = ${r.k}: ${r.runnerRebased}`).join(' ')).join('; ')}`,
  );
  console.log(
    `  feature length k3/k1  ${slowdown.map((r) => r.toFixed(2)).join(', ')} (claim → session end, 3 side by side vs alone)`,
  );
  if (results.flat().some((r) => !r.ok))
    console.log('  NOTE: some runs did not finish with every feature passing; see above.');

  console.log('');
  console.log('the harness alone: the same runs in process with the scripted runtime (no Claude Code processes):');
  for (let rep = 1; rep <= REPEATS; rep++) {
    const [one, three] = [await runHarnessOnly(1), await runHarnessOnly(3)];
    const failed = [one, three].some((r) => !r.ok) ? ' (NOTE: a run did not end with every feature passing)' : '';
    console.log(
      `  run ${rep}: wall k = 1 ${s(one.wallMs)}, k = 3 ${s(three.wallMs)}, ratio ${(three.wallMs / one.wallMs).toFixed(3)}; ` +
        `coding phase ratio ${(three.codingMs / one.codingMs).toFixed(3)}; ${three.rebased} of ${FEATURES.length} rebased by the runner at k = 3${failed}`,
    );
  }
}
