/**
 * Harness overhead per coding session: 20 real Claude Code sessions against the scripted
 * model, each claiming one feature and marking it passing. Overhead = wall time of all
 * sessions minus time spent inside the model server and Claude Code's own start-up (spawn
 * to its init message), divided by the session count. Also prints prompt sizes per role.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaudeRuntime } from '../src/agent/claude-runtime.js';
import { renderPrompt, wordCount } from '../src/agent/prompt-template.js';
import { loadPromptTemplate } from '../src/agent/prompts.js';
import type { AgentEvent, AgentRuntime, AgentSpec } from '../src/agent/runtime.js';
import { createRunDeps, openProjectStore, runClaimPolicy } from '../src/compose.js';
import { loadRunSettings } from '../src/config/run-settings.js';
import { projectPaths } from '../src/config/paths.js';
import { gitInit } from '../src/git/git.js';
import { runProject } from '../src/runner/run-loop.js';
import { reply } from '../src/model-server/reply.js';
import { startScriptedModelServer } from '../src/model-server/server.js';

const SESSIONS = 20;
const SEED_WORDS = { initializer: 4033, coding: 2115, testing: 752 };

/** Wraps the real runtime to time Claude Code's start (spawn → init) per session. */
class TimedRuntime implements AgentRuntime {
  readonly starts: number[] = [];
  readonly totals: number[] = [];
  private readonly inner = new ClaudeRuntime();
  async *run(spec: AgentSpec, signal: AbortSignal): AsyncIterable<AgentEvent> {
    const t0 = performance.now();
    for await (const e of this.inner.run(spec, signal)) {
      if (e.type === 'started') this.starts.push(performance.now() - t0);
      yield e;
    }
    this.totals.push(performance.now() - t0);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ac-bench-session-'));
  const server = await startScriptedModelServer((conv) => {
    const id = Number(/feature #(\d+)/.exec(conv.prompt)?.[1]);
    return conv.turn === 0
      ? reply().tool('mcp__features__feature_mark_passing', { feature_id: id, evidence: 'bench' })
      : reply().text('done');
  });
  try {
    const dir = join(root, 'project');
    mkdirSync(dir);
    gitInit(dir);
    const settings = loadRunSettings({}, { model: 'claude-sonnet-4-5', yolo: true });
    const store = openProjectStore(projectPaths(dir), { policy: runClaimPolicy(settings) });
    store.features.createBulk(
      Array.from({ length: SESSIONS }, (_, i) => ({
        category: 'bench',
        name: `feature ${i + 1}`,
        description: 'bench',
        steps: ['step'],
      })),
    );
    const home = join(root, 'home');
    mkdirSync(join(home, 'cfg'), { recursive: true });
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      CLAUDE_CONFIG_DIR: join(home, 'cfg'),
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'bench-key-000000',
    };
    const runtime = new TimedRuntime();
    const deps = createRunDeps({ store, projectName: 'bench', settings, env, report: () => undefined, runtime });
    const t0 = performance.now();
    await runProject(deps, new AbortController().signal);
    const wall = performance.now() - t0;
    store.close();

    const modelMs = server.busyMs();
    const startMs = runtime.starts.reduce((a, b) => a + b, 0);
    const perSession = runtime.totals.map((t, i) => t - (runtime.starts[i] ?? 0));
    const overhead = (wall - modelMs - startMs) / SESSIONS;
    console.log(
      `session benchmark: ${SESSIONS} coding sessions with the real Claude Code binary and the scripted model`,
    );
    console.log(
      `  wall time total            ${(wall / 1000).toFixed(2)} s (${(wall / SESSIONS).toFixed(0)} ms per session)`,
    );
    console.log(`  inside the model server    ${(modelMs / SESSIONS).toFixed(0)} ms per session`);
    console.log(`  Claude Code start (median) ${median(runtime.starts).toFixed(0)} ms (spawn → init)`);
    console.log(`  after init (median)        ${median(perSession).toFixed(0)} ms (Claude Code turns + tools)`);
    console.log(`  harness overhead           ${overhead.toFixed(0)} ms per session (target ≤ 1000 ms)`);
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
