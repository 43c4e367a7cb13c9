import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/tmp.js';
import { createRedactor, MASK } from '../security/redactor.js';
import type { SpecChatEvent } from '../shared/spec-chat.js';
import type { ChatEvent, ChatRunner } from './runtime.js';
import { startSpecChat } from './spec-chat.js';

const KEY = 'sk-ant-api03-Zx8Cv1Bn4Mq7Wr0Ty3Ui6Op9As2Df5Gh8Jk1Lz4Xc7Vb0Nm3Qw6Er9Ty2Ui5Op8As1Df4-_AA';

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDir('ac-spec-chat-');
  mkdirSync(join(tmp.dir, '.autocoder'));
});
afterEach(() => tmp.cleanup());

/**
 * A conversation runner playing one scripted turn once the user's first message is in (the chat's kickoff is the first
 * input).
 */
function scriptedChat(turn: (onStderr: (chunk: string) => void) => ChatEvent[]): ChatRunner {
  return async function* (spec, input) {
    let messages = 0;
    for await (const _message of input) {
      if (++messages < 2) continue;
      yield* turn(spec.onStderr ?? (() => undefined));
      return;
    }
  };
}

async function collect(chat: ChatRunner, userMessage: string): Promise<SpecChatEvent[]> {
  const session = startSpecChat({
    projectName: 'p',
    root: tmp.dir,
    specFile: join(tmp.dir, '.autocoder', 'app_spec.txt'),
    model: undefined,
    env: {},
    packageBinDir: tmp.dir,
    chat,
    redact: createRedactor([KEY]),
  });
  session.send(userMessage);
  const events: SpecChatEvent[] = [];
  for await (const event of session.events) events.push(event);
  return events;
}

/** Any 8 consecutive characters of the key past its shared `sk-ant-api03-` prefix found in `text`. */
function leakedPiece(text: string): string | null {
  const random = KEY.slice(13);
  for (let i = 0; i + 8 <= random.length; i++) if (text.includes(random.slice(i, i + 8))) return random.slice(i, i + 8);
  return null;
}

describe('issue #14: the spec chat passes the same redactor as runs', () => {
  it('masks a provider key split between streamed deltas, in the message, in the user echo and in the error with its stderr tail', async () => {
    const text = `Your key is ${KEY}, I will not use it.`;
    const events = await collect(
      scriptedChat((onStderr) => {
        // Claude Code's stderr arrives in chunks that split lines, and here the key.
        onStderr(`Error: invalid x-api-key ${KEY.slice(0, 40)}`);
        onStderr(`${KEY.slice(40)}\nretrying`);
        return [
          { type: 'started', model: 'm', tools: [] },
          ...(text.match(/.{1,5}/gs) ?? []).map((piece) => ({ type: 'text_delta' as const, text: piece })),
          { type: 'text', text },
          // The SDK's own error keeps only the end of stderr: the key's last characters.
          { type: 'turn_end', error: `Claude Code process exited with code 1. stderr: ${KEY.slice(-30)}` },
        ];
      }),
      `here is my key: ${KEY}`,
    );
    const wire = JSON.stringify(events);
    expect(leakedPiece(wire)).toBeNull();
    const deltas = events.flatMap((e) => (e.type === 'assistant_delta' ? [e.text] : [])).join('');
    expect(deltas).toBe(`Your key is ${MASK}, I will not use it.`);
    expect(events.find((e) => e.type === 'assistant_message')).toEqual({
      type: 'assistant_message',
      text: `Your key is ${MASK}, I will not use it.`,
    });
    expect(events.find((e) => e.type === 'user_message')).toEqual({
      type: 'user_message',
      text: `here is my key: ${MASK}`,
    });
    const ended = events.at(-1);
    expect(ended).toEqual({
      type: 'ended',
      reason: 'error',
      error: `Claude Code process exited with code 1. stderr: ${MASK} (Error: invalid x-api-key ${MASK} retrying)`,
    });
  });

  it('masks a key in streamed text that ends without a complete message (the turn failed mid-stream)', async () => {
    const events = await collect(
      scriptedChat(() => [
        { type: 'text_delta', text: `partial ${KEY.slice(0, 20)}` },
        { type: 'text_delta', text: KEY.slice(20) },
        { type: 'chat_error', error: 'stream cut' },
      ]),
      'go on',
    );
    expect(leakedPiece(JSON.stringify(events))).toBeNull();
    expect(events.flatMap((e) => (e.type === 'assistant_delta' ? [e.text] : [])).join('')).toBe(`partial ${MASK}`);
    expect(events.at(-1)).toEqual({ type: 'ended', reason: 'error', error: 'stream cut' });
  });
});
