import type { z } from 'zod';

/**
 * The agent runtime port. The runner talks only to this; `claude-runtime.ts` implements it with
 * the Claude Agent SDK, and tests may drive the same runner with any other implementation.
 */

export type AgentRole = 'initializer' | 'coding' | 'testing' | 'supervisor' | 'verifier' | 'reviewer' | 'designer';

export interface AgentToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

/** An in-process MCP tool handed to the session (the feature tools, bound to its claim). */
export interface AgentTool {
  readonly name: string;
  readonly description: string;
  readonly shape: z.ZodRawShape;
  readonly handler: (args: unknown) => Promise<AgentToolResult>;
}

/** `input`, when given, replaces the call's input (the call runs as rewritten, e.g. `./init.sh` in its jail). */
export type GuardDecision =
  | { readonly allow: true; readonly input?: Record<string, unknown> }
  | { readonly allow: false; readonly reason: string };

/**
 * Decides, before it runs, whether a built-in tool call (Bash, Write, Read…) may run. `cwd` is the shell's current
 * folder.
 */
export type ToolGuard = (
  toolName: string,
  input: Record<string, unknown>,
  context: { readonly cwd?: string },
) => GuardDecision;

export interface AgentSpec {
  readonly role: AgentRole;
  readonly prompt: string;
  readonly systemPrompt: string;
  readonly cwd: string;
  readonly model: string | undefined;
  /** Built-in Claude Code tools available to the role. */
  readonly builtinTools: readonly string[];
  readonly mcpServerName: string;
  readonly mcpTools: readonly AgentTool[];
  readonly guard: ToolGuard;
  readonly maxTurns: number;
  /** The session's cost limit in USD (its budget reservation); the session ends as `max_budget` past it. */
  readonly maxBudgetUsd?: number;
  /** Run Bash commands in Claude Code's OS sandbox; `unsandboxedCommands` (rule patterns) run outside it. */
  readonly sandbox: {
    readonly enabled: boolean;
    readonly unsandboxedCommands: readonly string[];
    /** Absolute paths sandboxed commands may write besides cwd (a worktree's shared `.git`). */
    readonly writablePaths?: readonly string[];
    /** Absolute paths sandboxed commands may not read (autocoder's home, credentials, other projects). */
    readonly readDeniedPaths?: readonly string[];
    /** Absolute paths inside the writable folders that sandboxed commands may not write (runner state, git hooks). */
    readonly writeDeniedPaths?: readonly string[];
  };
  /** The complete environment of the Claude Code process (nothing else is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Called with each line Claude Code writes to stderr (diagnostics). */
  readonly onStderr?: (line: string) => void;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheCreationTokens: number;
}

export type SessionOutcome = 'success' | 'max_turns' | 'max_budget' | 'error' | 'aborted' | 'rate_limited';

export type AgentEvent =
  | { readonly type: 'started'; readonly model: string; readonly tools: readonly string[] }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_call'; readonly id: string; readonly name: string; readonly input: Record<string, unknown> }
  | { readonly type: 'tool_result'; readonly id: string; readonly isError: boolean; readonly text: string }
  | { readonly type: 'retry'; readonly attempt: number; readonly status: number | null; readonly error: string }
  | { readonly type: 'rate_limit'; readonly resetsAt: number | null; readonly rejected: boolean }
  | {
      readonly type: 'finished';
      readonly outcome: SessionOutcome;
      readonly turns: number;
      readonly usage: TokenUsage;
      readonly costUsd: number;
      readonly durationMs: number;
      readonly error: string | null;
      /** When the provider refused for a usage/rate limit: when it says the limit resets (ms epoch). */
      readonly retryAt: number | null;
    };

export interface AgentRuntime {
  /** Runs one session to its end. Never throws for a failed session: the last event says how it ended. */
  run(spec: AgentSpec, signal: AbortSignal): AsyncIterable<AgentEvent>;
}

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };

/** A conversation with the user (the spec chat): no built-in tools, only in-process MCP tools. */
export interface ChatSpec {
  readonly systemPrompt: string;
  readonly cwd: string;
  readonly model: string | undefined;
  readonly mcpServerName: string;
  readonly mcpTools: readonly AgentTool[];
  /** Turn limit of each answer (model calls between two user messages). */
  readonly maxTurns: number;
  /** The complete environment of the Claude Code process. */
  readonly env: Readonly<Record<string, string>>;
  readonly onStderr?: (line: string) => void;
}

export type ChatEvent =
  | AgentEvent
  | { readonly type: 'text_delta'; readonly text: string }
  /** The assistant's turn is over (it waits for the next user message); `error` when the turn failed. */
  | { readonly type: 'turn_end'; readonly error: string | null }
  /** The session failed without a result (startup failure, crash) or was aborted. */
  | { readonly type: 'chat_error'; readonly error: string };

/** Runs a conversation: `input` is the user's messages; it ends when `input` ends or on abort. */
export type ChatRunner = (
  spec: ChatSpec,
  input: AsyncIterable<string>,
  signal: AbortSignal,
) => AsyncIterable<ChatEvent>;
