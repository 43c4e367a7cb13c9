import type { Conversation } from '../../../src/model-server/conversation.js';
import { reply, type Reply } from '../../../src/model-server/reply.js';

export const FEATURE_TOOL = (name: string) => `mcp__features__${name}`;

export interface PlannedFeature {
  category: string;
  name: string;
  description: string;
  steps: string[];
  depends_on_indices?: number[];
}

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
  return sequence([
    () => reply().text('Planning the backlog.').tool(FEATURE_TOOL('feature_create_bulk'), { features }),
    () => reply().tool('Write', { file_path: 'init.sh', content: '#!/usr/bin/env bash\necho "app ready on port ${PORT:-3000}"\n' }),
    () => reply().tool('Bash', { command: 'chmod +x init.sh' }),
    () => reply().tool('Write', { file_path: 'claude-progress.txt', content: 'Planned the backlog.\n' }),
    () => reply().tool('Bash', { command: 'git add -A && git commit -m "Initial plan and project skeleton"' }),
  ], 'Created the backlog.');
}

/** Implements the assigned feature: writes a file, runs it through Bash, commits, marks passing. */
export function codingSession(options: { pass?: (featureId: number) => boolean } = {}): Step {
  const id = (conv: Conversation) => assignedFeature(conv) as number;
  return sequence([
    (c) => reply().text(`Implementing feature ${id(c)}.`).tool('Write', { file_path: `features/feature-${id(c)}.txt`, content: `feature ${id(c)} implemented\n` }),
    (c) => reply().tool('Bash', { command: `cat features/feature-${id(c)}.txt` }),
    (c) => reply().tool('Bash', { command: `git add -A && git commit -m "Feature #${id(c)}"` }),
    (c) =>
      options.pass === undefined || options.pass(id(c))
        ? reply().tool(FEATURE_TOOL('feature_mark_passing'), { feature_id: id(c), evidence: `cat features/feature-${id(c)}.txt printed the expected line` })
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
  { category: 'notes', name: 'Create a note', description: 'A user can create a note.', steps: ['Create a note', 'See it saved'] },
  { category: 'notes', name: 'List notes', description: 'Notes are listed newest first.', steps: ['Create two notes', 'See both listed'], depends_on_indices: [0] },
  { category: 'notes', name: 'Delete a note', description: 'A user can delete a note.', steps: ['Delete a note', 'It is gone'], depends_on_indices: [0] },
  { category: 'search', name: 'Search notes', description: 'Search filters the list.', steps: ['Type a word', 'Only matching notes show'], depends_on_indices: [1] },
];
