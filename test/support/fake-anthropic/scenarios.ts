import type { Conversation } from '../../../src/model-server/conversation.js';
import { reply, type Reply } from '../../../src/model-server/reply.js';

export const FEATURE_TOOL = (name: string) => `mcp__features__${name}`;

export interface PlannedFeature {
  category: string;
  name: string;
  description: string;
  steps: string[];
  depends_on_indices?: number[];
  /** Frozen checks; without them, `plannedChecks` gives the ones `codingSession` satisfies. */
  acceptance?: unknown[];
}

/**
 * The checks a scripted backlog's feature `id` carries when its plan names none: the file `codingSession` (and
 * `landingCodingSession`) writes for it, with the line they write. Ids are 1, 2, … in plan order in a fresh project.
 */
export const plannedChecks = (id: number): unknown[] => [
  {
    kind: 'command',
    name: `feature ${id} file`,
    run: `cat features/feature-${id}.txt`,
    expect: { stdoutIncludes: `feature ${id} implemented` },
  },
];

/** The items `feature_create_bulk` gets: each with its checks. */
export const withChecks = (features: readonly PlannedFeature[]): PlannedFeature[] =>
  features.map((f, i) => ({ ...f, acceptance: f.acceptance ?? plannedChecks(i + 1) }));

export type Step = (conv: Conversation) => Reply;

/** Plays `steps` in order, one per model turn, then ends the session with a text reply. */
export function sequence(steps: readonly Step[], closing = 'Done.'): Step {
  return (conv) => {
    const step = steps[conv.turn];
    return step ? step(conv) : reply().text(closing);
  };
}

/** The feature id a coding session was given, read from its prompt. */
export function assignedFeature(conv: Conversation): number | null {
  const m = /Coding session: feature #(\d+)/.exec(conv.prompt);
  return m ? Number(m[1]) : null;
}

export const isInitializer = (conv: Conversation) => conv.prompt.includes('Initializer session');
export const isCoding = (conv: Conversation) => assignedFeature(conv) !== null;

/** Plans the backlog, writes init.sh and makes the first commit, like a real initializer. */
export function initializerSession(features: readonly PlannedFeature[]): Step {
  return sequence(
    [
      () =>
        reply()
          .text('Planning the backlog.')
          .tool(FEATURE_TOOL('feature_create_bulk'), { features: withChecks(features) }),
      () =>
        reply().tool('Write', {
          file_path: 'init.sh',
          content: '#!/usr/bin/env bash\necho "app ready on port ${PORT:-3000}"\n',
        }),
      () => reply().tool('Bash', { command: 'chmod +x init.sh' }),
      () => reply().tool('Write', { file_path: 'claude-progress.txt', content: 'Planned the backlog.\n' }),
      () => reply().tool('Bash', { command: 'git add -A && git commit -m "Initial plan and project skeleton"' }),
    ],
    'Created the backlog.',
  );
}

/** Implements the assigned feature: writes a file, runs it through Bash, commits, marks passing. */
export function codingSession(options: { pass?: (featureId: number) => boolean } = {}): Step {
  const id = (conv: Conversation) => assignedFeature(conv) as number;
  return sequence([
    (c) =>
      reply()
        .text(`Implementing feature ${id(c)}.`)
        .tool('Write', { file_path: `features/feature-${id(c)}.txt`, content: `feature ${id(c)} implemented\n` }),
    (c) => reply().tool('Bash', { command: `cat features/feature-${id(c)}.txt` }),
    (c) => reply().tool('Bash', { command: `git add -A && git commit -m "Feature #${id(c)}"` }),
    (c) =>
      options.pass === undefined || options.pass(id(c))
        ? reply().tool(FEATURE_TOOL('feature_mark_passing'), {
            feature_id: id(c),
            evidence: `cat features/feature-${id(c)}.txt printed the expected line`,
          })
        : reply().text('I could not make it pass.'),
  ]);
}

/** Routes each session to the scenario for its role. */
export function roleScript(roles: { initializer?: Step; coding?: Step; other?: Step }): (conv: Conversation) => Reply {
  return (conv) => {
    if (isInitializer(conv) && roles.initializer) return roles.initializer(conv);
    if (isCoding(conv) && roles.coding) return roles.coding(conv);
    return (roles.other ?? (() => reply().text('Nothing to do.')))(conv);
  };
}

export const SAMPLE_SPEC = `<project_specification>
  <project_name>tiny-notes</project_name>
  <overview>A tiny notes app used by autocoder's end-to-end tests.</overview>
  <technology_stack>Plain files, no server.</technology_stack>
  <feature_count>4</feature_count>
  <core_features>
    - Create a note
    - List notes
    - Delete a note
    - Search notes
  </core_features>
  <success_criteria>Every feature passes its verification steps.</success_criteria>
</project_specification>
`;

export const SAMPLE_FEATURES: PlannedFeature[] = [
  {
    category: 'notes',
    name: 'Create a note',
    description: 'A user can create a note.',
    steps: ['Create a note', 'See it saved'],
  },
  {
    category: 'notes',
    name: 'List notes',
    description: 'Notes are listed newest first.',
    steps: ['Create two notes', 'See both listed'],
    depends_on_indices: [0],
  },
  {
    category: 'notes',
    name: 'Delete a note',
    description: 'A user can delete a note.',
    steps: ['Delete a note', 'It is gone'],
    depends_on_indices: [0],
  },
  {
    category: 'search',
    name: 'Search notes',
    description: 'Search filters the list.',
    steps: ['Type a word', 'Only matching notes show'],
    depends_on_indices: [1],
  },
];

/**
 * A coding session that lands through the merge queue like a careful agent: writes its file
 * (and, with `sharedFile`, appends a line to a file every feature edits), commits, marks
 * passing; when the gate says to rebase it rebases, resolves an append conflict by keeping
 * both lines, continues the rebase and marks passing again. Decides from the last tool result,
 * so it follows whatever the runner answers.
 */
export function landingCodingSession(options: { sharedFile?: string } = {}): Step {
  return (conv) => {
    const id = assignedFeature(conv) as number;
    // Sent back by a testing agent: fix it with a change of its own (the first version is on main).
    const own = /regression:/.test(conv.prompt) ? `features/feature-${id}-fix.txt` : `features/feature-${id}.txt`;
    const shared = options.sharedFile;
    const last = conv.lastToolResults[0];
    const command = typeof last?.input.command === 'string' ? last.input.command : '';
    const commit = () => reply().tool('Bash', { command: `git add -A && git commit -m "Feature #${id}"` });
    const markPassing = () =>
      reply().tool(FEATURE_TOOL('feature_mark_passing'), { feature_id: id, evidence: `${own} written and committed` });
    const rebaseTarget = () =>
      /git rebase (\S+)/.exec(
        conv.toolResults.filter((r) => r.name === FEATURE_TOOL('feature_mark_passing')).at(-1)?.text ?? '',
      )?.[1] ?? 'main';
    const write = () => reply().tool('Write', { file_path: own, content: `feature ${id} implemented\n` });
    if (!last)
      return reply()
        .text(`Implementing feature ${id}.`)
        .tool('Write', { file_path: own, content: `feature ${id} implemented\n` });
    // Continuing an earlier attempt's branch: the file is there already; read it, then write it.
    if (last.name === 'Write' && last.input.file_path === own && last.isError && /not been read/.test(last.text))
      return reply().tool('Read', { file_path: own });
    if (last.name === 'Read' && last.input.file_path === own) return write();
    if (last.name === 'Write' && last.input.file_path === own)
      return shared ? reply().tool('Bash', { command: `echo "feature ${id}" >> ${shared}` }) : commit();
    if (command.startsWith('echo ')) return commit();
    if (command.startsWith('git add -A && git commit')) return markPassing();
    if (last.name === FEATURE_TOOL('feature_mark_passing')) {
      if (!last.isError) return reply().text(`Feature ${id} landed.`);
      if (/git rebase/.test(last.text))
        return reply()
          .text('Main moved; rebasing.')
          .tool('Bash', { command: `git rebase ${rebaseTarget()}` });
      return reply().text(`Could not land feature ${id}: ${last.text.slice(0, 200)}`);
    }
    if (command.startsWith('git rebase') && !command.includes('--continue')) {
      if (shared && (last.isError || /CONFLICT/.test(last.text)))
        return reply().tool('Bash', { command: `git show ${rebaseTarget()}:${shared}` });
      return markPassing();
    }
    // Claude Code refuses to overwrite a file the session has not read: read it, then write main's lines plus ours.
    if (command.startsWith('git show') && shared) return reply().tool('Read', { file_path: shared });
    if (last.name === 'Read' && shared && last.input.file_path === shared) {
      const onMain =
        conv.toolResults
          .filter((r) => typeof r.input.command === 'string' && r.input.command.startsWith('git show'))
          .at(-1)?.text ?? '';
      return reply().tool('Write', {
        file_path: shared,
        content: `${onMain.replace(/<system-reminder>[\s\S]*$/, '').trimEnd()}\nfeature ${id}\n`,
      });
    }
    if (last.name === 'Write' && last.input.file_path === shared)
      return reply().tool('Bash', { command: `git add ${shared} && git rebase --continue` });
    if (command.includes('rebase --continue'))
      return last.isError ? reply().text(`The rebase failed: ${last.text.slice(0, 200)}`) : markPassing();
    return reply().text('Done.');
  };
}

/** The feature ids a testing session was given, read from its prompt ("- #3 …" lines). */
export function featuresToVerify(conv: Conversation): number[] {
  if (!conv.prompt.includes('Regression session')) return [];
  return [...conv.prompt.matchAll(/^- #(\d+) /gm)].map((m) => Number(m[1]));
}

/**
 * A testing session: gives each listed feature a verdict, one tool call per turn — a
 * regression (with evidence) where `regress(id)` says so, verified otherwise.
 */
export function testingSession(regress: (featureId: number) => boolean): Step {
  return (conv) => {
    const ids = featuresToVerify(conv);
    const id = ids[conv.turn];
    if (id === undefined) return reply().text('Every listed feature has a verdict.');
    return regress(id)
      ? reply()
          .text(`Feature ${id} is broken.`)
          .tool(FEATURE_TOOL('feature_mark_failing'), {
            feature_id: id,
            reason: `step 1 fails on main: features/feature-${id}.txt is not picked up (regression found by the testing agent)`,
          })
      : reply().tool(FEATURE_TOOL('feature_mark_verified'), { feature_id: id });
  };
}

/** The spec chat's only tool (src/agent/spec-chat.ts). */
export const SUBMIT_SPEC_TOOL = 'mcp__spec__submit_app_spec';
export const isSpecChat = (conv: Conversation) => conv.toolNames.includes(SUBMIT_SPEC_TOOL);

const withoutReminders = (text: string) => text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim();

/** What the person typed, in order (the kickoff first): user messages that are not tool results. */
export function userTexts(conv: Conversation): string[] {
  const messages = (Array.isArray(conv.raw.messages) ? conv.raw.messages : []) as {
    role?: string;
    content?: unknown;
  }[];
  const texts: string[] = [];
  for (const m of messages) {
    if (m.role !== 'user') continue;
    const blocks =
      typeof m.content === 'string'
        ? [{ type: 'text', text: m.content }]
        : Array.isArray(m.content)
          ? (m.content as { type?: string; text?: string }[])
          : [];
    if (blocks.some((b) => b.type === 'tool_result')) continue;
    const text = withoutReminders(blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('\n'));
    if (text !== '') texts.push(text);
  }
  return texts;
}

export const SPEC_INTERVIEW_QUESTIONS = [
  'First, the overview: what should the app do, and what problem does it solve?',
  'Who will use it? Any roles, like admins?',
  'For the stack I suggest React with Vite and Tailwind, Node.js with Express and SQLite. Keep that, or do you want something else?',
] as const;

/**
 * A spec interview: asks the three questions one per turn, proposes a feature count, submits a
 * spec missing its success criteria, then (told the problems) the whole spec built from the
 * answers, then confirms. Decides from the conversation only (what the person said, what the
 * tool answered).
 */
export function specInterviewSession(options: { featureCount?: number } = {}): Step {
  const count = options.featureCount ?? 12;
  return (conv) => {
    const answers = userTexts(conv).slice(1);
    const last = conv.lastToolResults[0];
    const lastMessage = (conv.raw.messages as { role?: string; content?: unknown }[] | undefined)?.at(-1);
    const answeringTool =
      Array.isArray(lastMessage?.content) &&
      (lastMessage.content as { type?: string }[]).some((b) => b.type === 'tool_result');
    const spec = (withCriteria: boolean) => `<project_specification>
  <project_name>${/Let's write (?:a new|the) app spec for the project "([^"]+)"/.exec(userTexts(conv)[0] ?? '')?.[1] ?? 'app'}</project_name>
  <overview>${answers[0] ?? ''}</overview>
  <audience>${answers[1] ?? ''}</audience>
  <technology_stack>${answers[2] ?? ''}</technology_stack>
  <feature_count>${count}</feature_count>
  <core_features>
    - ${answers[0] ?? ''}
  </core_features>
${withCriteria ? '  <success_criteria>Every feature passes its verification steps.</success_criteria>\n' : ''}</project_specification>`;
    if (answeringTool && last?.name === SUBMIT_SPEC_TOOL) {
      if (last.isError)
        return reply()
          .text('Fixing that.')
          .tool(SUBMIT_SPEC_TOOL, { spec: spec(true) });
      return reply().text('Your spec is saved.');
    }
    const question = SPEC_INTERVIEW_QUESTIONS[answers.length];
    if (question) return reply().text(question);
    return reply()
      .text(`I propose ${count} features. Submitting the spec.`)
      .tool(SUBMIT_SPEC_TOOL, { spec: spec(false) });
  };
}

/** The request ids and non-secret fields a supervisor session was given, read from its prompt. */
export function requestsToAnswer(conv: Conversation): { id: string; fields: { id: string; kind: string }[] }[] {
  if (!conv.prompt.includes('supervisor mode')) return [];
  return conv.prompt
    .split(/^## Request /m)
    .slice(1)
    .map((block) => ({
      id: /^(hir_[0-9a-f]+)/.exec(block)?.[1] ?? '',
      fields: [...block.matchAll(/^- ([A-Za-z][A-Za-z0-9_]*) \(([a-z]+)/gm)]
        .map((m) => ({ id: m[1] as string, kind: m[2] as string }))
        .filter((f) => f.kind !== 'secret'),
    }));
}

/**
 * A supervisor session: answers each listed request in turn with `supervisor_answer` (the value
 * `choose` gives each non-secret field, with a reason; secrets left out), one per turn.
 */
export function supervisorSession(
  choose: (requestId: string, fieldId: string, kind: string) => string | number | boolean,
): Step {
  return (conv) => {
    const requests = requestsToAnswer(conv);
    const request = requests[conv.turn];
    if (!request) return reply().text('Every request is answered.');
    const answers = Object.fromEntries(request.fields.map((f) => [f.id, choose(request.id, f.id, f.kind)]));
    const reasons = Object.fromEntries(
      request.fields.map((f) => [f.id, `the spec implies ${String(answers[f.id])} for ${f.id}`]),
    );
    return reply()
      .text(`Answering ${request.id}.`)
      .tool(FEATURE_TOOL('supervisor_answer'), { request_id: request.id, answers, reasons });
  };
}
