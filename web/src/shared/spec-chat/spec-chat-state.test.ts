import { describe, expect, it } from 'vitest';
import { initialSpecChat, reduceSpecChat, type SpecChatAction, type SpecChatState } from './spec-chat-state';

const fold = (actions: SpecChatAction[], from: SpecChatState = initialSpecChat) => actions.reduce(reduceSpecChat, from);

describe('spec chat panel state', () => {
  it('streams the assistant text, then keeps the whole message and waits for the user', () => {
    const streaming = fold([
      { type: 'started', model: 'm' },
      { type: 'assistant_delta', text: 'What should ' },
      { type: 'assistant_delta', text: 'it do?' },
    ]);
    expect(streaming).toMatchObject({ phase: 'thinking', streaming: 'What should it do?', lines: [], model: 'm' });
    const waiting = fold([{ type: 'assistant_message', text: 'What should it do?' }, { type: 'waiting' }], streaming);
    expect(waiting).toMatchObject({
      phase: 'waiting',
      streaming: '',
      lines: [{ role: 'assistant', text: 'What should it do?' }],
    });
    const answered = reduceSpecChat(waiting, { type: 'user_message', text: 'Recipes' });
    expect(answered).toMatchObject({
      phase: 'thinking',
      lines: [{ role: 'assistant' }, { role: 'user', text: 'Recipes' }],
    });
  });

  it('notes fixed problems, shows the written spec and ends', () => {
    const done = fold([
      { type: 'spec_problems', problems: [{ line: 1, message: 'missing required section <success_criteria>' }] },
      {
        type: 'spec_written',
        path: '/p/.autocoder/app_spec.txt',
        projectName: 'p',
        featureCount: 12,
        backupPath: null,
      },
      { type: 'ended', reason: 'spec_written', error: null },
      { type: 'closed' },
    ]);
    expect(done).toMatchObject({
      phase: 'ended',
      error: null,
      written: { path: '/p/.autocoder/app_spec.txt', featureCount: 12 },
      lines: [{ role: 'note', text: 'The draft had 1 problem; Claude is fixing it.' }],
    });
  });

  it('reports a failed chat, a refused message and a lost connection', () => {
    expect(fold([{ type: 'ended', reason: 'error', error: 'no credentials' }])).toMatchObject({
      phase: 'ended',
      error: 'no credentials',
    });
    expect(fold([{ type: 'waiting' }, { type: 'error', message: 'invalid message' }])).toMatchObject({
      phase: 'waiting',
      error: 'invalid message',
    });
    expect(fold([{ type: 'waiting' }, { type: 'closed' }])).toMatchObject({
      phase: 'ended',
      error: 'The connection to the server was lost.',
    });
  });
});
