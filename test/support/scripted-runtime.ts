/**
 * A scripted AgentRuntime: plays the fake model's scenarios (`Script`: conversation → reply,
 * the same functions the scripted model server answers with) in this process, with no Claude
 * Code. It does what Claude Code does with each reply: shows the text, calls the session's MCP
 * feature tools (their handlers in `spec.mcpTools`), asks the session's guard (`spec.guard`)
 * before every Bash, Read, Write and Edit call and honours its refusal or rewrite, runs Bash
 * for real in the session's folder with the session's environment, reads and writes files,
 * then sends the results back as the next turn. It emits the AgentEvents, stops at
 * `spec.maxTurns` and, like Claude Code, after the turn that crosses `spec.maxBudgetUsd` (`max_budget`), reports
 * usage and cost, and ends `aborted` as soon as the signal fires (a running command is killed). Test equipment:
 * what only the real binary can prove (the SDK wiring, the sandbox, the transcript format, MCP deferral) stays in
 * test/e2e.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AgentEvent, AgentRuntime, AgentSpec, SessionOutcome, TokenUsage } from '../../src/agent/runtime.js';
import { readConversation, type Conversation } from '../../src/model-server/conversation.js';
import type { ContentBlock, Reply } from '../../src/model-server/reply.js';
import type { Script } from '../../src/model-server/server.js';

/** A turn that ends the session the way a provider refusal ends it in Claude Code. */
export interface TurnFault {
  readonly outcome: Extract<SessionOutcome, 'rate_limited' | 'error'>;
  readonly error: string;
  /** For `rate_limited`: when the provider says the limit resets (ms epoch), or null. */
  readonly retryAt?: number | null;
  /** For `rate_limited`: the limit resets this long after the refused turn (instead of `retryAt`). */
  readonly retryInMs?: number;
}

export interface TurnFaultRule {
  readonly fault: TurnFault;
  /** Only turns the predicate accepts get the fault (default: every turn). */
  readonly when?: (conversation: Conversation) => boolean;
  /** How many matching turns get it (default 1). */
  times?: number;
}

/** One session the runtime played: its spec and how it ended. */
export interface ScriptedSession {
  readonly spec: AgentSpec;
  outcome: SessionOutcome | null;
}

/** Dollars per million tokens (input, output), as Claude Sonnet is priced: sessions cost something. */
const PRICE = { input: 3, output: 15 } as const;
const costOf = (usage: TokenUsage): number =>
  (usage.inputTokens * PRICE.input + usage.outputTokens * PRICE.output) / 1_000_000;
/** Claude Code's default Bash timeout. */
const BASH_TIMEOUT_MS = 120_000;
/** Longest tool output sent back to the model (Claude Code truncates long outputs too). */
const OUTPUT_LIMIT = 30_000;

type ToolAnswer = { readonly isError: boolean; readonly text: string };

export class ScriptedRuntime implements AgentRuntime {
  readonly sessions: ScriptedSession[] = [];
  private readonly rules: TurnFaultRule[] = [];
  private readonly watchers = new Set<(conversation: Conversation) => void>();

  constructor(private readonly script: Script) {}

  /** Ends upcoming matching turns with a provider fault instead of asking the script. */
  inject(rule: TurnFaultRule): void {
    this.rules.push(rule);
  }

  /** Resolves with the first turn (as it starts) that matches, or rejects after `timeoutMs`. */
  waitForTurn(match: (conversation: Conversation) => boolean, timeoutMs: number): Promise<Conversation> {
    return new Promise((resolvePromise, reject) => {
      const watcher = (conversation: Conversation) => {
        if (!match(conversation)) return;
        clearTimeout(timer);
        this.watchers.delete(watcher);
        resolvePromise(conversation);
      };
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        reject(new Error(`no matching turn within ${timeoutMs} ms`));
      }, timeoutMs);
      this.watchers.add(watcher);
    });
  }

  async *run(spec: AgentSpec, signal: AbortSignal): AsyncIterable<AgentEvent> {
    const session: ScriptedSession = { spec, outcome: null };
    this.sessions.push(session);
    const started = Date.now();
    const model = spec.model ?? 'claude-scripted';
    const toolNames = [...spec.builtinTools, ...spec.mcpTools.map((t) => `mcp__${spec.mcpServerName}__${t.name}`)];
    const messages: { role: 'user' | 'assistant'; content: unknown }[] = [{ role: 'user', content: spec.prompt }];
    // Claude Code refuses to overwrite a file the session has not read.
    const read = new Set<string>();
    let usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
    let turns = 0;
    const end = (outcome: SessionOutcome, error: string | null, retryAt: number | null = null): AgentEvent => {
      session.outcome = outcome;
      const costUsd = costOf(usage);
      return {
        type: 'finished',
        outcome,
        turns,
        usage,
        costUsd,
        durationMs: Date.now() - started,
        error,
        retryAt: outcome === 'rate_limited' ? retryAt : null,
      };
    };

    yield { type: 'started', model, tools: toolNames };
    for (;;) {
      if (signal.aborted) return yield end('aborted', 'aborted');
      if (turns >= spec.maxTurns) return yield end('max_turns', `Reached maximum number of turns (${spec.maxTurns})`);
      const conversation = readConversation({
        model,
        system: spec.systemPrompt,
        tools: toolNames.map((name) => ({ name })),
        messages,
        stream: true,
      });
      for (const watcher of [...this.watchers]) watcher(conversation);
      // A model call is network I/O: let timers and other sessions' I/O run before the reply, as they would.
      await new Promise((resolvePromise) => setImmediate(resolvePromise));
      const fault = this.takeFault(conversation);
      if (fault)
        return yield end(
          fault.outcome,
          fault.error,
          fault.retryInMs === undefined ? (fault.retryAt ?? null) : Date.now() + fault.retryInMs,
        );
      let reply: Reply;
      try {
        const answer = await untilAborted(Promise.resolve(this.script(conversation)), signal);
        if (answer === ABORTED) return yield end('aborted', 'aborted');
        reply = answer;
      } catch (err: unknown) {
        return yield end('error', `the script failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      turns += 1;
      usage = {
        inputTokens: usage.inputTokens + reply.usage.input_tokens,
        outputTokens: usage.outputTokens + reply.usage.output_tokens,
        cacheReadTokens: usage.cacheReadTokens + reply.usage.cache_read_input_tokens,
        cacheCreationTokens: usage.cacheCreationTokens + reply.usage.cache_creation_input_tokens,
      };
      messages.push({ role: 'assistant', content: reply.content });
      // Claude Code's maxBudgetUsd: past it, the session ends after the turn that crossed it.
      if (spec.maxBudgetUsd !== undefined && costOf(usage) >= spec.maxBudgetUsd)
        return yield end('max_budget', `Reached maximum budget ($${spec.maxBudgetUsd})`);
      const calls = reply.content.filter(
        (b): b is Extract<ContentBlock, { type: 'tool_use' }> => b.type === 'tool_use',
      );
      for (const block of reply.content) {
        if (block.type === 'text') yield { type: 'text', text: block.text };
        else yield { type: 'tool_call', id: block.id, name: block.name, input: block.input };
      }
      if (calls.length === 0) return yield end('success', null);
      const results: Record<string, unknown>[] = [];
      for (const call of calls) {
        const answer = await this.callTool(spec, call.name, call.input, read, signal);
        const text =
          answer.text.length > OUTPUT_LIMIT
            ? `${answer.text.slice(0, OUTPUT_LIMIT)}\n… (output truncated)`
            : answer.text;
        yield { type: 'tool_result', id: call.id, isError: answer.isError, text };
        results.push({
          type: 'tool_result',
          tool_use_id: call.id,
          is_error: answer.isError,
          content: [{ type: 'text', text }],
        });
      }
      messages.push({ role: 'user', content: results });
    }
  }

  private takeFault(conversation: Conversation): TurnFault | null {
    const rule = this.rules.find((r) => (r.times ?? 1) > 0 && (r.when ? r.when(conversation) : true));
    if (!rule) return null;
    rule.times = (rule.times ?? 1) - 1;
    return rule.fault;
  }

  private async callTool(
    spec: AgentSpec,
    name: string,
    input: Record<string, unknown>,
    read: Set<string>,
    signal: AbortSignal,
  ): Promise<ToolAnswer> {
    const prefix = `mcp__${spec.mcpServerName}__`;
    if (name.startsWith(prefix)) {
      const tool = spec.mcpTools.find((t) => t.name === name.slice(prefix.length));
      if (!tool) return { isError: true, text: `Error: No such tool available: ${name}` };
      try {
        const result = await tool.handler(input);
        return { isError: result.isError === true, text: result.content.map((c) => c.text).join('\n') };
      } catch (err: unknown) {
        return { isError: true, text: `Error: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    if (!spec.builtinTools.includes(name)) return { isError: true, text: `Error: No such tool available: ${name}` };
    // The PreToolUse hook: a refusal reaches the model as the tool's error, a rewrite replaces the call.
    let args = input;
    try {
      const decision = spec.guard(name, input, { cwd: spec.cwd });
      if (!decision.allow) return { isError: true, text: decision.reason };
      if (decision.input) args = decision.input;
    } catch (err: unknown) {
      return {
        isError: true,
        text: `the safety check failed (${err instanceof Error ? err.message : String(err)}), so the call was refused`,
      };
    }
    const path = typeof args.file_path === 'string' ? resolve(spec.cwd, args.file_path) : null;
    switch (name) {
      case 'Bash':
        return typeof args.command === 'string'
          ? runBash(
              args.command,
              spec,
              typeof args.timeout === 'number' ? args.timeout : BASH_TIMEOUT_MS,
              signal,
              args.run_in_background === true,
            )
          : missing('command');
      case 'Read':
        if (path === null) return missing('file_path');
        if (!existsSync(path)) return { isError: true, text: 'File does not exist.' };
        read.add(path);
        return { isError: false, text: numbered(readFileSync(path, 'utf8')) };
      case 'Write': {
        if (path === null || typeof args.content !== 'string') return missing('file_path and content');
        const existed = existsSync(path);
        if (existed && !read.has(path))
          return { isError: true, text: 'File has not been read yet. Read it first before writing to it.' };
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, args.content);
        read.add(path);
        return {
          isError: false,
          text: existed ? `The file ${path} has been updated.` : `File created successfully at: ${path}`,
        };
      }
      case 'Edit': {
        if (path === null || typeof args.old_string !== 'string' || typeof args.new_string !== 'string')
          return missing('file_path, old_string and new_string');
        if (!read.has(path))
          return { isError: true, text: 'File has not been read yet. Read it first before writing to it.' };
        const before = readFileSync(path, 'utf8');
        const count = before.split(args.old_string).length - 1;
        if (count === 0)
          return { isError: true, text: `String to replace not found in file.\nString: ${args.old_string}` };
        if (count > 1 && args.replace_all !== true)
          return { isError: true, text: `Found ${count} matches of the string to replace, but replace_all is false.` };
        writeFileSync(path, before.split(args.old_string).join(args.new_string));
        return { isError: false, text: `The file ${path} has been updated.` };
      }
      default:
        return { isError: true, text: `Error: the scripted runtime does not implement ${name}` };
    }
  }
}

const ABORTED = Symbol('aborted');

/** `work`, or ABORTED as soon as `signal` fires (a script that never answers is abandoned). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolvePromise, reject) => {
    const onAbort = () => resolvePromise(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolvePromise(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

const missing = (what: string): ToolAnswer => ({ isError: true, text: `InputValidationError: ${what} required` });

/** File contents as Claude Code's Read shows them: numbered lines. */
function numbered(text: string): string {
  return text
    .split('\n')
    .map((line, i) => `${String(i + 1).padStart(6)}\t${line}`)
    .join('\n');
}

/**
 * Runs one Bash command with the session's environment (nothing else) in its folder: output is
 * stdout then stderr; a non-zero exit is an error result that names the code, as in Claude Code.
 * A stop kills the command. `background`: started and left running, like `run_in_background`.
 */
function runBash(
  command: string,
  spec: AgentSpec,
  timeoutMs: number,
  signal: AbortSignal,
  background: boolean,
): Promise<ToolAnswer> {
  return new Promise((resolvePromise) => {
    if (background) {
      const child = spawn('bash', ['-c', command], {
        cwd: spec.cwd,
        env: { ...spec.env },
        stdio: 'ignore',
        detached: false,
      });
      child.unref();
      resolvePromise({ isError: false, text: `Command running in background with ID: ${child.pid ?? 'unknown'}` });
      return;
    }
    const child = spawn('bash', ['-c', command], {
      cwd: spec.cwd,
      env: { ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) =>
      resolvePromise({ isError: true, text: signal.aborted ? 'Command aborted' : `Error: ${err.message}` }),
    );
    child.on('close', (code, killedBy) => {
      const output = [stdout.trimEnd(), stderr.trimEnd()].filter((s) => s !== '').join('\n');
      if (signal.aborted) resolvePromise({ isError: true, text: 'Command aborted' });
      else if (code === 0) resolvePromise({ isError: false, text: output });
      else
        resolvePromise({
          isError: true,
          text:
            killedBy !== null
              ? `Command timed out after ${timeoutMs} ms\n${output}`
              : `Exit code ${code ?? 'unknown'}\n${output}`,
        });
    });
  });
}
