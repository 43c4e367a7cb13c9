/**
 * Harness overhead per coding session: sessions through autocoder (`runProject`, one slot) against bare Agent SDK
 * sessions doing the same scripted work (a Bash `git commit`, then `feature_mark_passing`; bare: one `query()` with an
 * in-process MCP server whose `feature_mark_passing` does nothing), with the same Claude Code binary, scripted model
 * server, environment shape and prompts. The sides alternate in rounds so machine noise hits both alike. A harness
 * sample is one steady-state cycle of the run: from the end of one session's Claude Code to the end of the next
 * (scheduling, worktree, settings, the session, the landing, the session's end), so the run's own start and finish
 * are not counted. Overhead = median harness cycle − median bare session, like for like: bare sessions run with
 * Claude Code's sandbox when the harness side has it, and without it beside the harness side without it (what the
 * sandbox costs Claude Code is printed on its own). The harness side's phases come from the runner's phase recorder
 * (src/runner/phases.ts). Also prints prompt sizes per role.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sdk from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import { ClaudeRuntime } from '../src/agent/claude-runtime.js';
import { renderPrompt, wordCount } from '../src/agent/prompt-template.js';
import { loadPromptTemplate, renderPromptTemplates } from '../src/agent/prompts.js';
import type { AgentEvent, AgentRuntime, AgentSpec } from '../src/agent/runtime.js';
import { createRunDeps, openProjectStore, runClaimPolicy } from '../src/compose.js';
import { buildAgentEnv } from '../src/config/agent-env.js';
import { loadRunSettings, modelFor } from '../src/config/run-settings.js';
import { projectPaths } from '../src/config/paths.js';
import { gitInit, gitOk } from '../src/git/git.js';
import { runProject } from '../src/runner/run-loop.js';
import { PHASE_LABELS, phaseTotals } from '../src/runner/phases.js';
import { ROLE_PROFILES } from '../src/runner/roles.js';
import { decideSandbox } from '../src/runner/sandbox.js';
import { reply } from '../src/model-server/reply.js';
import { startScriptedModelServer } from '../src/model-server/server.js';

/** Rounds of (one run of PER_RUN features, PER_RUN − 1 bare sessions); a run's first session has no cycle before it. */
const ROUNDS = 5;
const PER_RUN = 5;
const SEED_WORDS = { initializer: 4033, coding: 2115, testing: 752 };

/** Wraps the real runtime to time Claude Code's start (spawn → init) and when each session's stream ended. */
class TimedRuntime implements AgentRuntime {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  private readonly inner = new ClaudeRuntime();
  async *run(spec: AgentSpec, signal: AbortSignal): AsyncIterable<AgentEvent> {
    const t0 = performance.now();
    for await (const e of this.inner.run(spec, signal)) {
      if (e.type === 'started') this.starts.push(performance.now() - t0);
      yield e;
    }
    this.ends.push(performance.now());
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};
const ms = (x: number) => `${x.toFixed(0).padStart(5)} ms`;

/** Clock ticks per second of /proc's CPU figures. */
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * CPU used so far, in ms: this process (the runner or the SDK, and the model server, on every side alike) and its
 * children it waited for (Claude Code with whatever it ran, the runner's git). Linux's /proc/self/stat: utime,
 * stime, cutime, cstime are fields 14–17; the name in field 2 may hold spaces, so count after its ')'.
 */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(')').at(-1)!.trim().split(' ');
  // fields[0] is field 3 (state): fields 14–17 are fields[11..14].
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) * (1000 / CLK_TCK);
}

/** One bare Agent SDK session: what an application calling the SDK itself would run for the same work. */
async function bareSession(
  sdk: typeof Sdk,
  spec: { prompt: string; systemPrompt: string; cwd: string; model: string; env: Record<string, string> },
  sandboxed: boolean,
): Promise<{ total: number; start: number }> {
  const t0 = performance.now();
  let start = NaN;
  const server = sdk.createSdkMcpServer({
    name: 'features',
    version: '1.0.0',
    alwaysLoad: true,
    tools: [
      sdk.tool(
        'feature_mark_passing',
        'Marks the feature passing.',
        { feature_id: z.number(), evidence: z.string() },
        () => Promise.resolve({ content: [{ type: 'text' as const, text: 'ok' }] }),
      ),
    ],
  });
  const builtin = ROLE_PROFILES.coding.builtinTools;
  for await (const m of sdk.query({
    prompt: spec.prompt,
    options: {
      cwd: spec.cwd,
      model: spec.model,
      systemPrompt: { type: 'preset', preset: 'claude_code', append: spec.systemPrompt },
      tools: [...builtin],
      allowedTools: [...builtin, 'mcp__features__feature_mark_passing'],
      permissionMode: 'dontAsk',
      settingSources: [],
      strictMcpConfig: true,
      persistSession: false,
      mcpServers: { features: server },
      maxTurns: 10,
      env: spec.env,
      // Claude Code's own sandbox as an application would switch it on: no model-side escape, local servers allowed.
      ...(sandboxed
        ? {
            sandbox: {
              enabled: true,
              failIfUnavailable: true,
              allowUnsandboxedCommands: false,
              network: { allowLocalBinding: true },
            },
          }
        : {}),
    },
  })) {
    if (m.type === 'system' && m.subtype === 'init') start = performance.now() - t0;
  }
  return { total: performance.now() - t0, start };
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ac-bench-session-'));
  const server = await startScriptedModelServer((conv) => {
    const id = Number(/Coding session: feature #(\d+)/.exec(conv.prompt)?.[1]);
    // The agent's whole job: one commit on its branch (the landing gate wants one), then feature_mark_passing.
    if (conv.turn === 0)
      return reply().tool('Bash', { command: `git commit --quiet --allow-empty -m "feature #${id}"` });
    return conv.turn === 1
      ? reply().tool('mcp__features__feature_mark_passing', { feature_id: id, evidence: 'bench' })
      : reply().text('done');
  });
  try {
    const dir = join(root, 'project');
    mkdirSync(dir);
    gitInit(dir);
    writeFileSync(join(dir, 'README.md'), '# bench\n');
    gitOk(dir, ['add', '-A']);
    gitOk(dir, ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '--quiet', '-m', 'start']);
    // Coding sessions only: no end-of-run checkpoint or design review (their reviewers' sessions are not this work).
    const flags = {
      model: 'claude-sonnet-4-5',
      yolo: true,
      concurrency: 1,
      checkpointInterval: 0,
      designReviewEvery: 0,
    };
    const settings = loadRunSettings({}, flags);
    const store = openProjectStore(projectPaths(dir), { policy: runClaimPolicy(settings) });
    const home = join(root, 'home');
    mkdirSync(join(home, 'cfg'), { recursive: true });
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      CLAUDE_CONFIG_DIR: join(home, 'cfg'),
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'bench-key-000000',
    };
    const reports: string[] = [];
    /** One way to run sessions through autocoder: its own deps (settings), runtime timings, phases and samples. */
    const harnessSide = (label: string, sandbox: 'auto' | 'off') => {
      const runtime = new TimedRuntime();
      const phases = phaseTotals();
      const sideSettings = loadRunSettings({}, { ...flags, sandbox });
      const deps = {
        ...createRunDeps({
          store,
          projectName: 'bench',
          settings: sideSettings,
          env,
          report: (line) => reports.push(line),
          runtime,
        }),
        phases,
      };
      return { label, deps, runtime, phases, cycles: [] as number[], starts: [] as number[], sessions: 0, cpu: 0 };
    };
    // As `autocoder run` starts by default (the OS sandbox where available), and with the sandbox off.
    const sides = [harnessSide('autocoder', 'auto'), harnessSide('sandbox off', 'off')];
    const packageBinDir = sides[0]!.deps.packageBinDir;

    // The bare side: its own folder (a git checkout, as a slot's worktree is), the same prompts and env shape.
    const bareDir = join(root, 'bare');
    mkdirSync(bareDir);
    gitInit(bareDir);
    const sdk = await import('@anthropic-ai/claude-agent-sdk');
    const bareSpec = (id: number) => {
      const vars = {
        project_name: 'bench',
        browser: false,
        port: String(settings.basePort),
        main_branch: 'main',
        feature_id: String(id),
        feature_name: `feature ${id}`,
        feature_category: 'bench',
        feature_description: 'bench',
        feature_steps: '1. step',
        previous_notes: '',
        branch: `autocoder/feature-${id}`,
        continued: false,
      };
      const sessionDir = join(root, `bare-${id}`);
      mkdirSync(join(sessionDir, 'home'), { recursive: true });
      mkdirSync(join(sessionDir, 'tmp'), { recursive: true });
      return {
        prompt: renderPromptTemplates(['coding'], vars, null),
        systemPrompt: renderPrompt(loadPromptTemplate('system', null).text, vars),
        cwd: bareDir,
        model: modelFor(settings, 'coding') ?? 'claude-sonnet-4-5',
        env: buildAgentEnv(env, {
          sessionDir,
          packageBinDir,
          extra: {
            PORT: vars.port,
            GIT_EDITOR: 'true',
            GIT_AUTHOR_NAME: 'bench',
            GIT_AUTHOR_EMAIL: 'bench@localhost',
            GIT_COMMITTER_NAME: 'bench',
            GIT_COMMITTER_EMAIL: 'bench@localhost',
          },
        }),
      };
    };

    // The bare sessions like for like: with Claude Code's sandbox when the harness side has it (auto: where available),
    // and without. What the sandbox costs Claude Code's start is then the same on both sides, not the harness's.
    const sandboxed = decideSandbox('auto', process.platform, process.env.PATH).enabled;
    const bareSides = [sandboxed, false].map((withSandbox) => ({
      withSandbox,
      totals: [] as number[],
      starts: [] as number[],
      cpu: 0,
    }));
    let featuresMade = 0;
    let nextId = 1000;
    // Warm-up (not counted): the SDK module, Claude Code's first start, the store's first queries.
    await bareSession(sdk, bareSpec(nextId++), sandboxed);
    const runRound = async (side: (typeof sides)[number]) => {
      store.features.createBulk(
        Array.from({ length: PER_RUN }, (_, i) => ({
          category: 'bench',
          name: `feature ${featuresMade + i + 1}`,
          description: 'bench',
          steps: ['step'],
        })),
      );
      featuresMade += PER_RUN;
      const { runtime } = side;
      const from = runtime.ends.length;
      const fromStarts = runtime.starts.length;
      const cpuBefore = cpuMs();
      await runProject(side.deps, new AbortController().signal);
      side.cpu += cpuMs() - cpuBefore;
      const ends = runtime.ends.slice(from);
      for (let i = 1; i < ends.length; i += 1) side.cycles.push(ends[i]! - ends[i - 1]!);
      side.starts.push(...runtime.starts.slice(fromStarts));
      side.sessions += ends.length;
    };
    const bareRound = async (side: (typeof bareSides)[number]) => {
      const cpuBefore = cpuMs();
      for (let i = 1; i < PER_RUN; i += 1) {
        const r = await bareSession(sdk, bareSpec(nextId++), side.withSandbox);
        side.totals.push(r.total);
        side.starts.push(r.start);
      }
      side.cpu += cpuMs() - cpuBefore;
    };
    const busyBefore = server.busyMs();
    const turns = [
      () => runRound(sides[0]!),
      () => bareRound(bareSides[0]!),
      () => runRound(sides[1]!),
      () => bareRound(bareSides[1]!),
    ];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Rotate which side goes first, so none always follows another.
      for (let k = 0; k < turns.length; k += 1) await turns[(round + k) % turns.length]!();
    }
    const sessionCount =
      sides.reduce((n, side) => n + side.sessions, 0) + bareSides.reduce((n, side) => n + side.totals.length, 0);
    const modelMs = (server.busyMs() - busyBefore) / sessionCount;
    store.close();

    const [withSandbox, withoutSandbox] = sides as [(typeof sides)[number], (typeof sides)[number]];
    const [bareOn, bareOff] = bareSides as [(typeof bareSides)[number], (typeof bareSides)[number]];
    console.log(
      `session benchmark: real Claude Code binary and the scripted model; ${ROUNDS} rounds rotating a run of ${PER_RUN} features through autocoder (sandbox as by default${sandboxed ? ', on here' : ', unavailable here'}: ${withSandbox.cycles.length} steady-state cycles; sandbox off: ${withoutSandbox.cycles.length}) and ${PER_RUN - 1} bare Agent SDK sessions each with Claude Code's sandbox as the harness has it (${bareOn.totals.length}) and without (${bareOff.totals.length})`,
    );
    console.log('                                   autocoder   bare SDK  sandbox off   bare SDK');
    const row = (label: string, f: (xs: number[]) => number, cols: number[][]) =>
      console.log(`  ${label.padEnd(31)} ${cols.map((c) => ms(f(c))).join('   ')}`);
    const min = (xs: number[]) => Math.min(...xs);
    row('per session (median)', median, [withSandbox.cycles, bareOn.totals, withoutSandbox.cycles, bareOff.totals]);
    row('per session (min)', min, [withSandbox.cycles, bareOn.totals, withoutSandbox.cycles, bareOff.totals]);
    row('Claude Code spawn → init (med.)', median, [
      withSandbox.starts,
      bareOn.starts,
      withoutSandbox.starts,
      bareOff.starts,
    ]);
    console.log(
      `  CPU per session (mean)          ${[withSandbox.cpu / withSandbox.sessions, bareOn.cpu / bareOn.totals.length, withoutSandbox.cpu / withoutSandbox.sessions, bareOff.cpu / bareOff.totals.length].map(ms).join('   ')}  (every process; a run's start and end included)`,
    );
    console.log(`  inside the model server (mean)  ${ms(modelMs)} per session, every side`);
    const overhead = (side: number[], bare: number[]) => ms(median(side) - median(bare));
    console.log(
      `  harness overhead                ${overhead(withSandbox.cycles, bareOn.totals)}              ${overhead(withoutSandbox.cycles, bareOff.totals)}              per session (median − bare median, like for like; target ≤ 250 ms)`,
    );
    if (sandboxed)
      console.log(
        `  Claude Code's sandbox itself    ${ms(median(bareOn.totals) - median(bareOff.totals))} per bare session (bare with − bare without; the same for any SDK application)`,
      );
    // A session that did not land its feature is retried: its cycle is a whole extra session, said here.
    const missed = reports.filter((l) => / is now (?!passing)/.test(l) || /did not pass|could not/.test(l));
    console.log(
      `  sessions that did not land     ${missed.length}${missed.length > 0 ? `: ${missed.slice(0, 3).join(' | ')}` : ''}`,
    );
    console.log('');
    console.log(
      `harness phases, mean per session (spawn → init and landing overlap the bare side's own work): autocoder, sandbox off`,
    );
    const off = new Map(withoutSandbox.phases.perSession(withoutSandbox.sessions).map((p) => [p.phase, p.ms]));
    for (const { phase, ms: t } of withSandbox.phases.perSession(withSandbox.sessions))
      console.log(`  ${phase.padEnd(18)} ${ms(t)}  ${ms(off.get(phase) ?? 0)}  ${PHASE_LABELS[phase]}`);
    rmSync(bareDir, { recursive: true, force: true });
    console.log('');
    console.log('prompt size per role (built-in templates, rendered with sample values):');
    const vars = {
      project_name: 'demo',
      browser: true,
      port: '5100',
      spec: '',
      feature_count_rule: '',
      feature_id: '1',
      feature_name: 'x',
      feature_category: 'c',
      feature_description: 'd',
      feature_steps: '1. s',
      previous_notes: '',
      feature_list: '- #1 x',
      branch: 'autocoder/feature-1',
      main_branch: 'main',
      continued: false,
    };
    for (const role of ['initializer', 'coding', 'testing'] as const) {
      const text = renderPrompt(loadPromptTemplate(role, null).text, vars);
      const words = wordCount(text);
      console.log(
        `  ${role.padEnd(12)} ${String(words).padStart(5)} words ≈ ${String(Math.round(text.length / 4)).padStart(5)} tokens   seed: ${SEED_WORDS[role]} words (${Math.round((100 * words) / SEED_WORDS[role])}%)`,
      );
    }
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}
