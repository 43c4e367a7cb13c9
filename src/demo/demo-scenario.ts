import type { Conversation, ToolResultView } from '../model-server/conversation.js';
import { reply, type Reply } from '../model-server/reply.js';
import type { Script } from '../model-server/server.js';
import {
  CHECK_COMMAND,
  DEMO_FEATURES,
  FEATURE_MARKER,
  REGISTRY_FILE,
  registryLine,
  SKELETON_FILES,
  type DemoFeature,
} from './demo-app.js';
import { DEMO_PROJECT_NAME } from './demo-spec.js';
import { demoSpecInterviewReply, isSpecInterview } from './demo-spec-interview.js';

/**
 * The demo model: a script, not an AI. It plays the initializer and coding sessions of the demo
 * project through the real tools Claude Code offers (feature MCP tools, Write, Edit, Read,
 * Bash), one tool call per turn with a short "thinking" line before it. It decides every turn
 * from the conversation alone — which session this is and what the tools answered — so a
 * failing tool call ends the session sensibly (the feature is reported failing) instead of
 * being ignored or hanging.
 */

export const featureTool = (name: string): string => `mcp__features__${name}`;

/** The demo answers no tokens: nothing is billed, so the run shows $0 (tokens 0) honestly. */
const NO_USAGE = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

export interface DemoStep {
  /** The assistant's short "thinking" text before the tool call. */
  readonly think: string;
  readonly tool: string;
  readonly input: Record<string, unknown>;
  /** What is wrong with the step's (non-error) result, or null when it is fine. */
  readonly check?: (result: ToolResultView) => string | null;
}

/**
 * The steps of a session given the tool results so far. Steps may depend on earlier results
 * (never on their own or later ones), so the list is the same every time a prefix is replayed;
 * it may stop early when a later step needs a result that has not come back yet.
 */
export type Plan = (results: readonly ToolResultView[]) => readonly DemoStep[];

export interface Failure {
  /** Index of the step whose result was wrong. */
  readonly step: number;
  readonly tool: string;
  readonly problem: string;
  /** Turns the session already took after the failed step (0: this is the first reply since). */
  readonly turnsSince: number;
}

export interface PlanEnds {
  readonly done: (results: readonly ToolResultView[]) => Reply;
  readonly failed: (failure: Failure) => Reply;
}

const say = (text: string) => reply().text(text).tokens(NO_USAGE);

/** The first lines of a tool's output, short enough for a reason or a log line. */
export function excerpt(text: string, max = 300): string {
  const clean = text.replace(/<\/?[a-z_-]+>/g, '').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Plays a plan: checks every result so far, then makes the next call, or ends the session. */
export function playPlan(conv: Conversation, plan: Plan, ends: PlanEnds): Reply {
  const results = conv.toolResults;
  const steps = plan(results);
  const checked = Math.min(results.length, steps.length);
  for (let i = 0; i < checked; i += 1) {
    const step = steps[i] as DemoStep;
    const result = results[i] as ToolResultView;
    const problem = result.isError
      ? `${step.tool} answered with an error: ${excerpt(result.text)}`
      : (step.check?.(result) ?? null);
    if (problem !== null) return ends.failed({ step: i, tool: step.tool, problem, turnsSince: conv.turn - i - 1 });
  }
  const next = steps[conv.turn];
  if (next) return say(next.think).tool(next.tool, next.input);
  return ends.done(results);
}

// ── Which session is this? ──────────────────────────────────────────────────

/** The feature id a coding session was given, read from its prompt (`# Coding session: feature #N`). */
export function assignedFeatureId(prompt: string): number | null {
  const m = /Coding session: feature #(\d+)/.exec(prompt);
  return m ? Number(m[1]) : null;
}

export const isInitializerPrompt = (prompt: string): boolean => prompt.includes('Initializer session');

/** Whether an initializer prompt carries the demo's own spec (the script plans nothing else). */
export const hasDemoSpec = (prompt: string): boolean =>
  prompt.includes(`<project_name>${DEMO_PROJECT_NAME}</project_name>`);

/** The demo feature a `feature_get_by_id` result describes, or null when it is not one of the demo's. */
export function demoFeatureFromResult(text: string): DemoFeature | null {
  let name: unknown;
  try {
    name = (JSON.parse(text) as { name?: unknown }).name;
  } catch {
    return null;
  }
  return DEMO_FEATURES.find((f) => f.name === name) ?? null;
}

/** `feature_create_bulk`'s items for the demo backlog (dependencies by index). */
export function demoBacklog(): Record<string, unknown>[] {
  const index = new Map(DEMO_FEATURES.map((f, i) => [f.slug, i]));
  return DEMO_FEATURES.map((f) => ({
    category: f.category,
    name: f.name,
    description: f.description,
    steps: [...f.steps],
    acceptance: f.acceptance,
    ...(f.dependsOn.length > 0 ? { depends_on_indices: f.dependsOn.map((slug) => index.get(slug) as number) } : {}),
  }));
}

// ── Checks on tool output ───────────────────────────────────────────────────

/** `node --test` output: the pass count, or null when any test failed or none ran. */
export function testSummary(output: string): { pass: number } | null {
  const fail = /(?:^|\n)\s*(?:#|ℹ) fail (\d+)/.exec(output);
  const pass = /(?:^|\n)\s*(?:#|ℹ) pass (\d+)/.exec(output);
  if (!fail || !pass || Number(fail[1]) !== 0 || Number(pass[1]) === 0) return null;
  return { pass: Number(pass[1]) };
}

/** The short hash `git commit` printed (`[main 1a2b3c4] message`), or null. */
export function commitHash(output: string): string | null {
  return /\[[^\]\n]*?\b([0-9a-f]{7,40})\]/.exec(output)?.[1] ?? null;
}

const checkTests = (r: ToolResultView) =>
  testSummary(r.text) ? null : `${CHECK_COMMAND} did not pass: ${excerpt(r.text)}`;
const checkCommit = (r: ToolResultView) =>
  commitHash(r.text) ? null : `git commit did not report a commit: ${excerpt(r.text)}`;

// ── The initializer session ─────────────────────────────────────────────────

const SKELETON_THOUGHTS: Record<string, string> = {
  'package.json':
    'The stack is plain HTML and JavaScript modules, so the skeleton starts with a package.json that only names the test command.',
  'index.html': 'The page: a form, filter buttons, the list and a counter. The features fill in the behaviour later.',
  'style.css': 'A little CSS so the page is readable; done todos are struck through.',
  'src/store.js': 'One small store holds the todos and tells the page when they change.',
  'src/app.js':
    'app.js renders the list and lets each feature hook in: a filter, row decorations, after-render updates.',
  [REGISTRY_FILE]:
    'Features register in one file, one line each above a marker, so sessions never edit the same lines.',
  'test/store.test.js': 'A first test for the store, and one that checks every registered feature can set itself up.',
  'server.js': 'A tiny static server so the page can be opened in a browser.',
  'init.sh': 'init.sh starts that server in the background on $PORT and waits until it answers.',
  'claude-progress.txt': 'Notes for the coding sessions that come next: they start with a fresh memory.',
};

export const INITIAL_COMMIT = 'Initial plan and project skeleton';

export const initializerPlan: Plan = () => [
  {
    think: `The spec asks for a one-page todo list with ${DEMO_FEATURES.length} features. Planning them as a backlog; filters and the counter need completing first.`,
    tool: featureTool('feature_create_bulk'),
    input: { features: demoBacklog() },
    check: (r) => {
      try {
        const created = (JSON.parse(r.text) as { created?: unknown }).created;
        return typeof created === 'number' && created > 0 ? null : `no features were created: ${excerpt(r.text)}`;
      } catch {
        return `unexpected answer from feature_create_bulk: ${excerpt(r.text)}`;
      }
    },
  },
  ...SKELETON_FILES.map((file) => ({
    think: SKELETON_THOUGHTS[file.path] ?? `Writing ${file.path}.`,
    tool: 'Write',
    input: { file_path: file.path, content: file.content },
  })),
  { think: 'init.sh must be executable.', tool: 'Bash', input: { command: 'chmod +x init.sh' } },
  {
    think: 'The server log must not end up in git; the project .gitignore exists already, so reading it first.',
    tool: 'Read',
    input: { file_path: '.gitignore' },
    check: (r) => (r.text.includes('.autocoder/') ? null : `.gitignore does not list .autocoder/: ${excerpt(r.text)}`),
  },
  {
    think: 'Adding server.log to it.',
    tool: 'Edit',
    input: { file_path: '.gitignore', old_string: '.autocoder/', new_string: '.autocoder/\nserver.log' },
  },
  {
    think: 'Checking the skeleton before committing it.',
    tool: 'Bash',
    input: { command: CHECK_COMMAND },
    check: checkTests,
  },
  { think: 'Tests pass. Staging everything.', tool: 'Bash', input: { command: 'git add -A' } },
  {
    think: 'Committing the plan and the skeleton.',
    tool: 'Bash',
    input: { command: `git commit -m "${INITIAL_COMMIT}"` },
    check: checkCommit,
  },
  { think: 'Confirming the backlog.', tool: featureTool('feature_get_stats'), input: {} },
];

function initializerEnds(): PlanEnds {
  return {
    done: (results) => {
      // The stats the last step read; an answer that is not JSON leaves the planned count.
      let total: number;
      try {
        total = Number((JSON.parse(results.at(-1)?.text ?? '{}') as { total?: unknown }).total ?? DEMO_FEATURES.length);
      } catch {
        total = DEMO_FEATURES.length;
      }
      return say(`Planned ${total} features and committed the skeleton. The coding sessions can start.`);
    },
    failed: (f) => say(`Stopping the initializer: ${f.problem}`),
  };
}

// ── A coding session ────────────────────────────────────────────────────────

/** The steps of the coding session for feature `id`, reacting to what the tools answered. */
export function codingPlan(id: number): Plan {
  return (results) => {
    const steps: DemoStep[] = [
      {
        think: `Feature #${id}: reading what it asks for.`,
        tool: featureTool('feature_get_by_id'),
        input: { feature_id: id },
        check: (r) =>
          demoFeatureFromResult(r.text)
            ? null
            : `the demo model (scripted, no AI) can only build the demo's own features, and this is not one of them: ${excerpt(r.text, 200)}`,
      },
    ];
    const feature = results[0] ? demoFeatureFromResult(results[0].text) : null;
    if (!feature) return steps;
    steps.push({
      think: `${feature.thoughts.plan} First, what earlier sessions left.`,
      tool: 'Bash',
      input: { command: 'ls src/features test' },
    });
    const listing = results[1];
    if (!listing) return steps;
    const existing = new Set(listing.text.split(/\s+/));
    const modulePath = `src/features/${feature.slug}.js`;
    const testPath = `test/${feature.slug}.test.js`;
    steps.push({
      think: 'Reading the feature registry to see how features hook in.',
      tool: 'Read',
      input: { file_path: REGISTRY_FILE },
      check: (r) =>
        r.text.includes(FEATURE_MARKER)
          ? null
          : `${REGISTRY_FILE} has lost its marker line, so the feature cannot be registered`,
    });
    const registry = results[2];
    if (!registry) return steps;
    if (existing.has(`${feature.slug}.js`)) {
      steps.push({
        think: `An earlier attempt left ${modulePath}; reading it before replacing it.`,
        tool: 'Read',
        input: { file_path: modulePath },
      });
    }
    steps.push({
      think: feature.thoughts.module,
      tool: 'Write',
      input: { file_path: modulePath, content: feature.module },
    });
    if (existing.has(`${feature.slug}.test.js`)) {
      steps.push({
        think: `${testPath} exists from an earlier attempt; reading it first.`,
        tool: 'Read',
        input: { file_path: testPath },
      });
    }
    steps.push({ think: feature.thoughts.test, tool: 'Write', input: { file_path: testPath, content: feature.test } });
    if (!registry.text.includes(`'./${feature.slug}.js'`)) {
      steps.push({
        think: 'Registering the feature: one line above the marker.',
        tool: 'Edit',
        input: {
          file_path: REGISTRY_FILE,
          old_string: FEATURE_MARKER,
          new_string: `${registryLine(feature.slug)}\n${FEATURE_MARKER}`,
        },
      });
    }
    const testStep = steps.length;
    steps.push({
      think: 'Running all the tests, not just the new ones.',
      tool: 'Bash',
      input: { command: CHECK_COMMAND },
      check: checkTests,
    });
    steps.push({ think: 'All green. Staging the change.', tool: 'Bash', input: { command: 'git add -A' } });
    const commitStep = steps.length;
    steps.push({
      think: 'Committing.',
      tool: 'Bash',
      input: { command: `git commit -m "Feature #${id}: ${feature.name}"` },
      check: checkCommit,
    });
    const tests = results[testStep];
    const commit = results[commitStep];
    if (!tests || !commit) return steps;
    const evidence = `${CHECK_COMMAND}: ${testSummary(tests.text)?.pass ?? '?'} tests pass, none fail; committed as ${commitHash(commit.text) ?? '?'} (${modulePath}, ${testPath})`;
    steps.push({
      think: 'Verified and committed: marking the feature passing.',
      tool: featureTool('feature_mark_passing'),
      input: { feature_id: id, evidence },
    });
    return steps;
  };
}

function codingEnds(id: number): PlanEnds {
  const verdictTools = new Set([featureTool('feature_mark_passing'), featureTool('feature_mark_failing')]);
  return {
    done: () => say(`Feature #${id} is done: implemented, tested, committed and marked passing.`),
    failed: (f) => {
      if (f.turnsSince > 0 || verdictTools.has(f.tool)) return say(`Ending the session: ${f.problem}`);
      return say(
        `That went wrong: ${f.problem}. I cannot finish feature #${id} this way, so I report it as failing with the reason.`,
      ).tool(featureTool('feature_mark_failing'), {
        feature_id: id,
        reason: `Step ${f.step + 1} (${f.tool}) failed: ${f.problem}`,
      });
    },
  };
}

// ── The script ──────────────────────────────────────────────────────────────

/** The demo model's reply to one request of any session. */
export function demoReply(conv: Conversation): Reply {
  if (isSpecInterview(conv)) return demoSpecInterviewReply(conv);
  if (isInitializerPrompt(conv.prompt)) {
    if (!hasDemoSpec(conv.prompt)) {
      return say(
        `This is the demo model: a script, not an AI. It only plans the demo project (spec "${DEMO_PROJECT_NAME}"), and this spec is another one, so it creates nothing. Run this project with a real model.`,
      );
    }
    return playPlan(conv, initializerPlan, initializerEnds());
  }
  const id = assignedFeatureId(conv.prompt);
  if (id !== null) return playPlan(conv, codingPlan(id), codingEnds(id));
  return say(
    'This is the demo model: a script, not an AI. It only knows the demo project’s initializer and coding sessions, so it ends this session.',
  );
}

/**
 * The demo model as a script for the scripted model server. `paceMs` holds each reply back a
 * little, so a person watching the UI can follow along (0 in tests).
 */
export function demoScript(options: { paceMs?: number } = {}): Script {
  const pace = options.paceMs ?? 0;
  return async (conv) => {
    if (pace > 0) await new Promise((resolve) => setTimeout(resolve, pace));
    return demoReply(conv);
  };
}
