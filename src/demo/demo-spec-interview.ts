import type { Conversation } from '../model-server/conversation.js';
import { reply, type Reply } from '../model-server/reply.js';

const NO_USAGE = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

/**
 * The demo model's side of the guided spec chat (`autocoder spec <project> --model demo`): a
 * fixed interview, one topic per message, whose answers go into the spec as they were typed.
 * No AI: it cannot suggest or rephrase, and it says so.
 */

/** The spec chat's tool as Claude Code names it (server "spec", tool submit_app_spec; src/agent/spec-chat.ts). */
export const SPEC_CHAT_TOOL = 'mcp__spec__submit_app_spec';

export const isSpecInterview = (conv: Conversation): boolean => conv.toolNames.includes(SPEC_CHAT_TOOL);

export const DEMO_INTERVIEW_TOPICS = [
  { key: 'overview', question: 'What should the app do, and what problem does it solve? (two or three sentences)' },
  { key: 'audience', question: 'Who will use it? Any roles, like admins?' },
  {
    key: 'stack',
    question:
      'Stack: React with Vite and Tailwind, Node.js with Express, SQLite. Type "ok" to keep it, or name what you want instead.',
  },
  {
    key: 'data',
    question: 'What does the app store? Name the main things and how they relate (e.g. "lists have items").',
  },
  { key: 'features', question: 'Which features do users need? Separate them with commas.' },
  { key: 'success', question: 'How will you know the app is done?' },
] as const;

const DEFAULT_STACK =
  'Frontend: React with Vite and Tailwind CSS. Backend: Node.js with Express, SQLite (better-sqlite3). REST API with JSON.';

const withoutReminders = (text: string) => text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim();

/** What the person typed, in order (the kickoff first): user messages that are not tool results. */
function userTexts(conv: Conversation): string[] {
  const messages = (Array.isArray(conv.raw.messages) ? conv.raw.messages : []) as {
    role?: string;
    content?: unknown;
  }[];
  return messages.flatMap((m) => {
    if (m.role !== 'user') return [];
    const blocks =
      typeof m.content === 'string'
        ? [{ type: 'text', text: m.content }]
        : Array.isArray(m.content)
          ? (m.content as { type?: string; text?: string }[])
          : [];
    if (blocks.some((b) => b.type === 'tool_result')) return [];
    const text = withoutReminders(blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('\n'));
    return text === '' ? [] : [text];
  });
}

/** The spec is tags around prose: angle brackets in an answer must not look like tags. */
const prose = (text: string) => text.replace(/</g, '‹').replace(/>/g, '›').trim();

function featureList(answer: string): string[] {
  return answer
    .split(/\n|,|;/)
    .map((f) => prose(f.replace(/^\s*[-*\d.)]+\s*/, '')))
    .filter((f) => f.length > 0);
}

/** About four testable behaviours per named feature, at least 10. */
export function demoFeatureCount(answer: string): number {
  return Math.min(200, Math.max(10, featureList(answer).length * 4));
}

function demoSpec(projectName: string, answers: readonly string[]): string {
  const [overview = '', audience = '', stack = '', data = '', features = '', success = ''] = answers;
  const keepStack = /^\s*(ok|okay|yes|y|keep|default|defaults|fine|sure)\b/i.test(stack) || stack.trim() === '';
  const list = featureList(features);
  return `<project_specification>
  <project_name>${projectName}</project_name>

  <overview>
    ${prose(overview)}
    Users: ${prose(audience) || 'not specified'}.
  </overview>

  <technology_stack>
    ${keepStack ? DEFAULT_STACK : prose(stack)}
  </technology_stack>

  <feature_count>${demoFeatureCount(features)}</feature_count>

  <core_features>
${(list.length > 0 ? list : [prose(overview) || 'The app described in the overview']).map((f) => `    - ${f}`).join('\n')}
  </core_features>

  <database_schema>
    ${prose(data) || 'To be designed from the features.'}
  </database_schema>

  <success_criteria>
    ${prose(success) || 'Every feature passes its verification steps.'}
  </success_criteria>
</project_specification>
`;
}

/** The demo interviewer's next message, decided from the conversation alone. */
export function demoSpecInterviewReply(conv: Conversation): Reply {
  const texts = userTexts(conv);
  const projectName = /app spec for the project "([^"]+)"/.exec(texts[0] ?? '')?.[1] ?? 'app';
  const answers = texts.slice(1);
  const last = conv.lastToolResults[0];
  const lastMessage = (conv.raw.messages as { role?: string; content?: unknown }[] | undefined)?.at(-1);
  const afterTool =
    Array.isArray(lastMessage?.content) &&
    (lastMessage.content as { type?: string }[]).some((b) => b.type === 'tool_result');
  if (afterTool && last?.name === SPEC_CHAT_TOOL) {
    return (
      last.isError
        ? reply().text(
            `The spec was refused and the demo model cannot fix it (it is a script): ${last.text.slice(0, 300)}`,
          )
        : reply().text(
            'Saved. Edit .autocoder/app_spec.txt to add detail, or run the chat again with a real model for a richer spec.',
          )
    ).tokens(NO_USAGE);
  }
  const topic = DEMO_INTERVIEW_TOPICS[answers.length];
  if (topic) {
    const intro =
      answers.length === 0
        ? 'This is the demo model: a script, not an AI. It asks six fixed questions and puts your answers into the spec as you type them.\n\n'
        : '';
    return reply().text(`${intro}${topic.question}`).tokens(NO_USAGE);
  }
  const count = demoFeatureCount(answers[4] ?? '');
  return reply()
    .text(`That is everything. I propose about ${count} features and am saving the spec.`)
    .tool(SPEC_CHAT_TOOL, { spec: demoSpec(projectName, answers) })
    .tokens(NO_USAGE);
}
