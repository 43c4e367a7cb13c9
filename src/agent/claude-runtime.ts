import type * as SdkModule from '@anthropic-ai/claude-agent-sdk';
import type {
  HookCallback,
  Options,
  SDKMessage,
  SDKResultMessage,
  SDKUserMessage,
} from '@anthropic-ai/claude-agent-sdk';
import type {
  AgentEvent,
  AgentRuntime,
  AgentSpec,
  ChatEvent,
  ChatSpec,
  SessionOutcome,
  TokenUsage,
} from './runtime.js';
import { ZERO_USAGE } from './runtime.js';
import { parseLimitReset } from './rate-limit.js';
import { translateClaudeError, translateClaudeMessage } from '../shared/claude-messages.js';

/**
 * The Claude Agent SDK, loaded when the first session or chat starts: it is the largest module
 * autocoder loads (about half a second), and every other command (status, answer, pause …)
 * starts without it.
 */
type Sdk = typeof SdkModule;
const loadSdk = (): Promise<Sdk> => import('@anthropic-ai/claude-agent-sdk');

/**
 * The Claude Agent SDK adapter: the only module that imports the SDK. One `run` = one
 * `query()` = one Claude Code child process with its own in-process feature MCP server.
 */
export class ClaudeRuntime implements AgentRuntime {
  async *run(spec: AgentSpec, signal: AbortSignal): AsyncIterable<AgentEvent> {
    const started = Date.now();
    const abortController = new AbortController();
    const onAbort = () => abortController.abort();
    if (signal.aborted) abortController.abort();
    else signal.addEventListener('abort', onAbort, { once: true });

    let rateLimitReset: number | null = null;
    let lastError: string | null = null;
    let finished = false;
    try {
      const sdk = await loadSdk();
      const stream = sdk.query({ prompt: spec.prompt, options: toOptions(sdk, spec, abortController) });
      for await (const message of stream) {
        for (const event of toEvents(message)) {
          if (event.type === 'rate_limit' && event.rejected && event.resetsAt !== null) rateLimitReset = event.resetsAt;
          if (event.type === 'text') {
            const reset = parseLimitReset(event.text, Date.now());
            if (reset !== null) rateLimitReset = reset;
          }
          yield event;
        }
        if (message.type === 'result') {
          finished = true;
          yield finishedEvent(message, started, rateLimitReset);
        }
      }
    } catch (err: unknown) {
      // The SDK throws after an error result (max turns, budget) and on startup failures; the
      // result was already reported above, so only a failure without a result is new here.
      lastError = translateClaudeMessage(err instanceof Error ? err.message : String(err));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (!finished) {
      const aborted = signal.aborted;
      const reset = rateLimitReset ?? (lastError ? parseLimitReset(lastError, Date.now()) : null);
      yield {
        type: 'finished',
        outcome: aborted ? 'aborted' : reset !== null ? 'rate_limited' : 'error',
        turns: 0,
        usage: ZERO_USAGE,
        costUsd: 0,
        durationMs: Date.now() - started,
        error: aborted ? 'aborted' : (lastError ?? 'Claude Code ended without a result'),
        retryAt: reset,
      };
    }
  }
}

/**
 * A conversation: one `query()` fed with the user's messages as they come (streaming input).
 * No built-in tools, only the given MCP tools; the session ends when `input` ends (after the
 * turn in progress) or on abort. Text is streamed as `text_delta` before each complete `text`.
 */
export async function* runClaudeChat(
  spec: ChatSpec,
  input: AsyncIterable<string>,
  signal: AbortSignal,
): AsyncIterable<ChatEvent> {
  const abortController = new AbortController();
  const onAbort = () => abortController.abort();
  if (signal.aborted) abortController.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  async function* userMessages(): AsyncIterable<SDKUserMessage> {
    for await (const text of input)
      yield { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null };
  }
  const sdk = await loadSdk();
  const server = sdk.createSdkMcpServer({
    name: spec.mcpServerName,
    version: '1.0.0',
    alwaysLoad: true,
    tools: spec.mcpTools.map((t) => sdk.tool(t.name, t.description, t.shape, (args) => t.handler(args))),
  });
  const options: Options = {
    cwd: spec.cwd,
    ...(spec.model ? { model: spec.model } : {}),
    systemPrompt: spec.systemPrompt,
    tools: [],
    allowedTools: spec.mcpTools.map((t) => `mcp__${spec.mcpServerName}__${t.name}`),
    permissionMode: 'dontAsk',
    settingSources: [],
    strictMcpConfig: true,
    persistSession: false,
    includePartialMessages: true,
    mcpServers: { [spec.mcpServerName]: server },
    maxTurns: spec.maxTurns,
    env: { ...spec.env },
    abortController,
    ...(spec.onStderr ? { stderr: spec.onStderr } : {}),
  };
  let finished = false;
  try {
    for await (const message of sdk.query({ prompt: userMessages(), options })) {
      if (message.type === 'stream_event') {
        const event = message.event;
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
          yield { type: 'text_delta', text: event.delta.text };
        continue;
      }
      for (const event of toEvents(message)) yield event;
      if (message.type === 'result') {
        const failed = message.subtype !== 'success' || message.is_error;
        yield {
          type: 'turn_end',
          error: failed
            ? translateClaudeMessage(
                message.subtype === 'success' ? message.result : message.errors.join('; ') || message.subtype,
              )
            : null,
        };
      }
    }
    finished = true;
  } catch (err: unknown) {
    if (!signal.aborted)
      yield { type: 'chat_error', error: translateClaudeMessage(err instanceof Error ? err.message : String(err)) };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (!finished && signal.aborted) yield { type: 'chat_error', error: 'aborted' };
}

const FILE_AND_SHELL_TOOLS = 'Bash|Read|Write|Edit|MultiEdit|NotebookEdit|Glob|Grep';

function toOptions(sdk: Sdk, spec: AgentSpec, abortController: AbortController): Options {
  const guardHook: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse') return {};
    let reason: string | null;
    let updatedInput: Record<string, unknown> | undefined;
    try {
      const decision = spec.guard(input.tool_name, (input.tool_input ?? {}) as Record<string, unknown>, {
        cwd: input.cwd,
      });
      reason = decision.allow ? null : decision.reason;
      if (decision.allow) updatedInput = decision.input;
    } catch (err: unknown) {
      // A guard that fails must not let the call through.
      reason = `the safety check failed (${err instanceof Error ? err.message : String(err)}), so the call was refused`;
    }
    // A rewritten call still goes through the permission rules (no permissionDecision: allow).
    if (reason === null)
      return updatedInput ? { hookSpecificOutput: { hookEventName: 'PreToolUse', updatedInput } } : {};
    return {
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason },
    };
  };
  const server = sdk.createSdkMcpServer({
    name: spec.mcpServerName,
    version: '1.0.0',
    alwaysLoad: true,
    tools: spec.mcpTools.map((t) => sdk.tool(t.name, t.description, t.shape, (args) => t.handler(args))),
  });
  const mcpToolNames = spec.mcpTools.map((t) => `mcp__${spec.mcpServerName}__${t.name}`);
  return {
    cwd: spec.cwd,
    ...(spec.model ? { model: spec.model } : {}),
    // Keep Claude Code's own system prompt (tool usage, environment) and add the role's.
    systemPrompt: { type: 'preset', preset: 'claude_code', append: spec.systemPrompt },
    tools: [...spec.builtinTools],
    allowedTools: [...spec.builtinTools, ...mcpToolNames],
    // dontAsk: anything not pre-approved is refused, never waits for a human.
    permissionMode: 'dontAsk',
    settingSources: [],
    strictMcpConfig: true,
    persistSession: false,
    mcpServers: { [spec.mcpServerName]: server },
    hooks: { PreToolUse: [{ matcher: FILE_AND_SHELL_TOOLS, hooks: [guardHook], onFailure: 'block' }] },
    maxTurns: spec.maxTurns,
    ...(spec.maxBudgetUsd !== undefined ? { maxBudgetUsd: spec.maxBudgetUsd } : {}),
    ...(spec.sandbox.enabled
      ? {
          sandbox: {
            enabled: true,
            failIfUnavailable: true,
            // The model may not switch the sandbox off for a command; only the listed ones run outside it.
            allowUnsandboxedCommands: false,
            excludedCommands: [...spec.sandbox.unsandboxedCommands],
            network: { allowLocalBinding: true },
            // `//` marks an absolute path in Claude Code's sandbox settings.
            filesystem: {
              ...(spec.sandbox.writablePaths?.length
                ? { allowWrite: spec.sandbox.writablePaths.map((p) => `/${p}`) }
                : {}),
              ...(spec.sandbox.readDeniedPaths?.length
                ? { denyRead: spec.sandbox.readDeniedPaths.map((p) => `/${p}`) }
                : {}),
              ...(spec.sandbox.writeDeniedPaths?.length
                ? { denyWrite: spec.sandbox.writeDeniedPaths.map((p) => `/${p}`) }
                : {}),
            },
          },
        }
      : {}),
    env: { ...spec.env },
    abortController,
    ...(spec.onStderr ? { stderr: spec.onStderr } : {}),
  };
}

function toEvents(message: SDKMessage): AgentEvent[] {
  switch (message.type) {
    case 'system':
      if (message.subtype === 'init') return [{ type: 'started', model: message.model, tools: message.tools }];
      if (message.subtype === 'api_retry') {
        return [{ type: 'retry', attempt: message.attempt, status: message.error_status, error: message.error }];
      }
      return [];
    case 'assistant': {
      // Claude Code's own notices ("Not logged in · Please run /login") come as assistant text of the model
      // "<synthetic>": they are translated like errors; the model's own text (which may name an app's /login) is not.
      const own = message.message.model === '<synthetic>';
      return message.message.content.flatMap((block): AgentEvent[] => {
        if (block.type === 'text')
          return [{ type: 'text', text: own ? translateClaudeMessage(block.text) : block.text }];
        if (block.type === 'tool_use')
          return [
            {
              type: 'tool_call',
              id: block.id,
              name: block.name,
              input: (block.input ?? {}) as Record<string, unknown>,
            },
          ];
        return [];
      });
    }
    case 'user': {
      const content = message.message.content;
      if (typeof content === 'string') return [];
      return content.flatMap((block): AgentEvent[] =>
        block.type === 'tool_result'
          ? [
              {
                type: 'tool_result',
                id: block.tool_use_id,
                isError: block.is_error === true,
                text: resultText(block.content),
              },
            ]
          : [],
      );
    }
    case 'rate_limit_event': {
      const info = message.rate_limit_info;
      return [
        {
          type: 'rate_limit',
          resetsAt: info.resetsAt === undefined ? null : info.resetsAt * 1000,
          rejected: info.status === 'rejected',
        },
      ];
    }
    default:
      return [];
  }
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((b: { type?: string; text?: string }) => (b.type === 'text' ? (b.text ?? '') : '')).join('\n');
  return '';
}

const OUTCOMES: Record<SDKResultMessage['subtype'], SessionOutcome> = {
  success: 'success',
  error_max_turns: 'max_turns',
  error_max_budget_usd: 'max_budget',
  error_during_execution: 'error',
  error_max_structured_output_retries: 'error',
};

function finishedEvent(result: SDKResultMessage, started: number, rateLimitReset: number | null): AgentEvent {
  const usage: TokenUsage = sumModelUsage(result);
  const errorText = translateClaudeError(
    result.subtype === 'success'
      ? result.is_error
        ? result.result
        : null
      : result.errors.join('; ') || result.subtype,
  );
  const reset = rateLimitReset ?? (errorText ? parseLimitReset(errorText, Date.now()) : null);
  let outcome = OUTCOMES[result.subtype];
  if (result.subtype === 'success' && result.is_error) outcome = reset !== null ? 'rate_limited' : 'error';
  return {
    type: 'finished',
    outcome,
    turns: result.num_turns,
    usage,
    costUsd: result.total_cost_usd,
    durationMs: Date.now() - started,
    error: errorText,
    retryAt: outcome === 'rate_limited' ? reset : null,
  };
}

function sumModelUsage(result: SDKResultMessage): TokenUsage {
  const models = Object.values(result.modelUsage ?? {});
  if (models.length === 0) {
    return {
      inputTokens: result.usage.input_tokens,
      outputTokens: result.usage.output_tokens,
      cacheReadTokens: result.usage.cache_read_input_tokens ?? 0,
      cacheCreationTokens: result.usage.cache_creation_input_tokens ?? 0,
    };
  }
  return models.reduce<TokenUsage>(
    (sum, m) => ({
      inputTokens: sum.inputTokens + m.inputTokens,
      outputTokens: sum.outputTokens + m.outputTokens,
      cacheReadTokens: sum.cacheReadTokens + m.cacheReadInputTokens,
      cacheCreationTokens: sum.cacheCreationTokens + m.cacheCreationInputTokens,
    }),
    ZERO_USAGE,
  );
}
