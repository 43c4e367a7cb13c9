import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { buildAgentEnv } from '../config/agent-env.js';
import type { Env } from '../config/env.js';
import { createRedactingStream } from '../security/redacting-stream.js';
import { redactJson, type Redactor } from '../security/redactor.js';
import type { SpecChatEvent } from '../shared/spec-chat.js';
import { appSpecTemplate, validateAppSpec } from '../spec/validate-app-spec.js';
import { runClaudeChat } from './claude-runtime.js';
import { createOwnedDir, disposeDir, sweepOrphanedDirs } from './session-dirs.js';
import { renderPrompt } from './prompt-template.js';
import type { AgentTool, AgentToolResult, ChatRunner } from './runtime.js';

/**
 * The guided spec chat: one Claude session, fed with the user's messages as they arrive, that
 * interviews them one topic at a time and then submits the spec through its only tool,
 * `submit_app_spec`. The tool validates; problems go back to the agent (which fixes them), a
 * valid spec is written to the project atomically (the one it replaces is kept as `.bak`).
 * Front-ends (the terminal command, the WebSocket endpoint) consume `events`.
 */

export const SPEC_CHAT_SERVER = 'spec';
export const SUBMIT_SPEC_TOOL = 'submit_app_spec';
/** Model calls allowed between two user messages. */
const TURNS_PER_ANSWER = 8;
/** Claude Code's stderr kept (masked) for the error message, and how much of it the message shows. */
const STDERR_KEPT = 4096;
const STDERR_SHOWN = 500;

export interface SpecChatOptions {
  readonly projectName: string;
  /** Project root (the session's cwd; it gets no file tools). */
  readonly root: string;
  /** Where the spec is written (`.autocoder/app_spec.txt`). */
  readonly specFile: string;
  readonly model: string | undefined;
  /** The user's environment: provider variables reach the session through buildAgentEnv. */
  readonly env: Env;
  readonly packageBinDir: string;
  /** The conversation runner (default: the Claude Agent SDK). */
  readonly chat?: ChatRunner;
  /**
   * Masks the provider's keys and the project's secrets in every event (text, errors, Claude Code's stderr), as in a
   * run.
   */
  readonly redact: Redactor;
}

export interface SpecChatSession {
  /** Everything the chat does, in order; ends after one `ended`. Consume it exactly once. */
  readonly events: AsyncIterable<SpecChatEvent>;
  /** Hands the user's next message to the session (queued while the assistant is still talking). */
  send(text: string): void;
  /** The user is done: the session ends after the turn in progress. */
  end(): void;
  /** Stops the session now. */
  abort(): void;
}

/** An unbounded queue read by one async iterator; `close` ends the iteration once drained. */
class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | null = null;
  closed = false;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}

function systemPrompt(projectName: string): string {
  const template = readFileSync(join(import.meta.dirname, 'prompts', 'spec-chat.md'), 'utf8');
  return renderPrompt(template, {
    project_name: projectName,
    template: appSpecTemplate().replace(
      /<project_name>[^<]*<\/project_name>/,
      `<project_name>${projectName}</project_name>`,
    ),
  });
}

function textResult(text: string, isError = false): AgentToolResult {
  return { content: [{ type: 'text', text }], ...(isError ? { isError: true } : {}) };
}

/** Writes through a temp file and a rename, so a crash never leaves half a spec. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function startSpecChat(options: SpecChatOptions): SpecChatSession {
  const input = new Channel<string>();
  const output = new Channel<SpecChatEvent>();
  const controller = new AbortController();
  let written: Extract<SpecChatEvent, { type: 'spec_written' }> | null = null;
  let backedUp = false;
  let userEnded = false;
  let endedSent = false;

  // Every event leaves masked. Streamed text goes through a stream that holds back a possible
  // secret split between two deltas until the rest arrives (or the message ends).
  const deltas = createRedactingStream(options.redact);
  const emit = (event: SpecChatEvent) => {
    if (endedSent) return;
    if (event.type === 'ended') {
      const rest = deltas.flush();
      if (rest !== '') output.push({ type: 'assistant_delta', text: rest });
      endedSent = true;
    }
    output.push(event.type === 'assistant_delta' ? event : redactJson(options.redact, event));
  };
  const showDelta = (text: string) => {
    if (text !== '') emit({ type: 'assistant_delta', text });
  };

  const submit: AgentTool = {
    name: SUBMIT_SPEC_TOOL,
    description:
      'Submit the complete app spec (the whole <project_specification> document). It is validated: problems come back with line numbers (nothing is saved); a valid spec is saved to the project.',
    shape: { spec: z.string().describe('the whole app spec, <project_specification> … </project_specification>') },
    handler: (args: unknown) => {
      const parsed = z.object({ spec: z.string() }).safeParse(args);
      if (!parsed.success)
        return Promise.resolve(textResult('Error: call submit_app_spec with {"spec": "<the whole spec>"}.', true));
      const text = parsed.data.spec.trim() + '\n';
      const check = validateAppSpec(text);
      if (!check.ok) {
        emit({ type: 'spec_problems', problems: check.problems });
        const lines = check.problems.map((p) => `line ${p.line}: ${p.message}`).join('\n');
        return Promise.resolve(
          textResult(
            `The spec was NOT saved. Fix these problems and call submit_app_spec again with the whole spec:\n${lines}`,
            true,
          ),
        );
      }
      try {
        if (!existsSync(dirname(options.specFile))) throw new Error(`${dirname(options.specFile)} does not exist`);
        let backupPath: string | null = null;
        // Keep the spec that was there before this chat (only the first save of the chat backs up).
        if (!backedUp && existsSync(options.specFile)) {
          backupPath = `${options.specFile}.bak`;
          copyFileSync(options.specFile, backupPath);
        }
        backedUp = true;
        writeAtomically(options.specFile, text);
        written = {
          type: 'spec_written',
          path: options.specFile,
          projectName: check.projectName,
          featureCount: check.featureCount,
          backupPath: backupPath ?? written?.backupPath ?? null,
        };
        emit(written);
      } catch (err: unknown) {
        return Promise.resolve(
          textResult(
            `Error: the spec is valid but could not be saved (${err instanceof Error ? err.message : String(err)}). Tell the person.`,
            true,
          ),
        );
      }
      const count = check.featureCount === null ? '' : `, about ${check.featureCount} features`;
      return Promise.resolve(
        textResult(
          `Saved the spec to ${options.specFile}${count}. Tell the person in one sentence that it is saved; the chat ends after your reply.`,
        ),
      );
    },
  };

  let sessionDir: string | null = null;
  // Claude Code's stderr comes in chunks that may split a line (or a secret): masked as a stream, then cut.
  const stderr = createRedactingStream(options.redact);
  let stderrTail = '';
  const stderrShown = () => (stderrTail + stderr.flush()).replace(/\s+/g, ' ').trim().slice(-STDERR_SHOWN);
  const pump = async () => {
    // Folders of spec chats and demo models whose process died (a killed `autocoder serve`) go first.
    await sweepOrphanedDirs();
    // Marked as this process's: removed when the chat ends, or by a later sweep once this process is gone.
    const dir = createOwnedDir(tmpdir(), `spec-${randomBytes(4).toString('hex')}`, {
      purpose: 'spec-chat',
      run: null,
      project: options.root,
      keep: false,
    });
    sessionDir = dir;
    const chat = options.chat ?? runClaudeChat;
    const spec = {
      systemPrompt: systemPrompt(options.projectName),
      cwd: options.root,
      model: options.model,
      mcpServerName: SPEC_CHAT_SERVER,
      mcpTools: [submit],
      maxTurns: TURNS_PER_ANSWER,
      env: buildAgentEnv(options.env, { sessionDir: dir, packageBinDir: options.packageBinDir }),
      onStderr: (chunk: string) => {
        stderrTail = (stderrTail + stderr.push(chunk)).slice(-STDERR_KEPT);
      },
    };
    let pendingText = '';
    let error: string | null = null;
    let started = false;
    for await (const event of chat(spec, input, controller.signal)) {
      switch (event.type) {
        case 'started':
          // Claude Code reports init at each turn; the chat started once.
          if (!started) emit({ type: 'started', model: event.model });
          started = true;
          break;
        case 'text_delta':
          pendingText += event.text;
          showDelta(deltas.push(event.text));
          break;
        case 'text':
          // Providers that do not stream still show the text.
          showDelta((pendingText === '' ? deltas.push(event.text) : '') + deltas.flush());
          pendingText = '';
          emit({ type: 'assistant_message', text: event.text });
          break;
        case 'turn_end':
          showDelta(deltas.flush());
          if (written) input.close();
          else if (event.error !== null) {
            error = event.error;
            input.close();
          } else if (!input.closed) emit({ type: 'waiting' });
          break;
        case 'chat_error':
          if (!controller.signal.aborted) error = event.error;
          input.close();
          break;
        default:
          break;
      }
    }
    if (controller.signal.aborted) emit({ type: 'ended', reason: 'aborted', error: null });
    else if (written) emit({ type: 'ended', reason: 'spec_written', error: null });
    else if (error !== null) {
      const tail = stderrShown();
      emit({ type: 'ended', reason: 'error', error: tail !== '' ? `${error} (${tail})` : error });
    } else
      emit({
        type: 'ended',
        reason: userEnded ? 'user_ended' : 'error',
        error: userEnded ? null : 'the session ended without a spec',
      });
  };
  // The chat's Claude Code is stopped before its folder goes (the SDK leaves it running a moment after the stream
  // ends).
  const dispose = async () => {
    if (sessionDir !== null) await disposeDir(sessionDir);
  };
  void pump()
    .catch((err: unknown) =>
      emit({ type: 'ended', reason: 'error', error: err instanceof Error ? err.message : String(err) }),
    )
    .finally(() =>
      dispose()
        // A folder that cannot go now is this process's: a later sweep removes it once the process is gone.
        .catch(() => undefined)
        .finally(() => output.close()),
    );

  const kickoff = existsSync(options.specFile)
    ? `Let's write a new app spec for the project "${options.projectName}" (it replaces the current one, which is kept as a backup). Start the interview.`
    : `Let's write the app spec for the project "${options.projectName}". Start the interview.`;
  input.push(kickoff);

  return {
    events: output,
    send: (text) => {
      const trimmed = text.trim();
      // Once the spec is saved the chat is closing: nothing more goes to the session.
      if (trimmed === '' || input.closed || written !== null) return;
      emit({ type: 'user_message', text: trimmed });
      input.push(trimmed);
    },
    end: () => {
      userEnded = true;
      input.close();
    },
    abort: () => {
      controller.abort();
      input.close();
    },
  };
}
