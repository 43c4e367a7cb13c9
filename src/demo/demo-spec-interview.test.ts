import { describe, expect, it } from 'vitest';
import { readConversation } from '../model-server/conversation.js';
import type { ContentBlock, Reply } from '../model-server/reply.js';
import { validateAppSpec } from '../spec/validate-app-spec.js';
import { demoReply } from './demo-scenario.js';
import { DEMO_INTERVIEW_TOPICS, demoFeatureCount, SPEC_CHAT_TOOL } from './demo-spec-interview.js';

type ToolUse = Extract<ContentBlock, { type: 'tool_use' }>;
const KICKOFF = `Let's write the app spec for the project "trips". Start the interview.`;

const textOf = (r: Reply) => r.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
const toolOf = (r: Reply) => r.content.find((b): b is ToolUse => b.type === 'tool_use');

/** Plays the interview: the person answers each question; the tool answers with `toolAnswer`. */
function interview(
  answers: readonly string[],
  toolAnswer: (spec: string) => { text: string; isError: boolean },
): { replies: Reply[]; specs: string[] } {
  const messages: Record<string, unknown>[] = [{ role: 'user', content: KICKOFF }];
  const replies: Reply[] = [];
  const specs: string[] = [];
  let next = 0;
  for (let turn = 0; turn < 20; turn += 1) {
    const r = demoReply(readConversation({ tools: [{ name: SPEC_CHAT_TOOL }], messages }));
    replies.push(r);
    messages.push({ role: 'assistant', content: r.content });
    const call = toolOf(r);
    if (call) {
      const spec = String(call.input.spec);
      specs.push(spec);
      const a = toolAnswer(spec);
      messages.push({
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: call.id, content: a.text, is_error: a.isError }],
      });
      continue;
    }
    const answer = answers[next++];
    if (answer === undefined) break;
    // Claude Code adds reminders to user messages; they are not the person's words.
    messages.push({
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>ignore me</system-reminder>' },
        { type: 'text', text: answer },
      ],
    });
  }
  return { replies, specs };
}

describe('the demo model in the spec chat', () => {
  it('asks the six topics one per message, says it is a script, and submits a valid spec made of the answers', () => {
    const answers = [
      'Plan trips with friends',
      'Friends; one organiser',
      'Vue and Fastify',
      'trips have stops',
      'add a trip, add a stop, share a trip, <script>',
      'We plan one real trip',
    ];
    const { replies, specs } = interview(answers, () => ({ text: 'Saved the spec.', isError: false }));
    expect(
      replies
        .slice(0, 6)
        .map(textOf)
        .map((t) => t.split('\n').at(-1)),
    ).toEqual(DEMO_INTERVIEW_TOPICS.map((t) => t.question));
    expect(textOf(replies[0]!)).toContain('This is the demo model: a script, not an AI.');
    expect(specs).toHaveLength(1);
    const spec = specs[0]!;
    expect(validateAppSpec(spec)).toMatchObject({ ok: true, projectName: 'trips', featureCount: 16 });
    expect(spec).toContain('Vue and Fastify');
    expect(spec).toContain('- ‹script›');
    expect(spec).not.toContain('ignore me');
    expect(textOf(replies.at(-1)!)).toContain('Saved.');
    expect(replies.every((r) => r.usage.output_tokens === 0)).toBe(true);
  });

  it('keeps the default stack on "ok" and gives up honestly when the spec is refused', () => {
    const { replies, specs } = interview(['x', 'y', 'ok', 'z', 'one', 'w'], () => ({
      text: 'line 3: something',
      isError: true,
    }));
    expect(specs[0]).toContain('Node.js with Express');
    expect(specs).toHaveLength(1);
    expect(textOf(replies.at(-1)!)).toContain('the demo model cannot fix it (it is a script): line 3: something');
  });

  it('proposes about four features per named feature, at least 10', () => {
    expect(demoFeatureCount('a')).toBe(10);
    expect(demoFeatureCount('a, b, c, d')).toBe(16);
    expect(demoFeatureCount('- a\n- b\n- c')).toBe(12);
  });
});
