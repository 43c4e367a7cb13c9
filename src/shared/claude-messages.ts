/**
 * Claude Code's own messages name its interactive commands ("Not logged in · Please run /login", "/config", "/model").
 * A person using autocoder has no such prompt to type them into: this translates them into what to do in autocoder.
 * Pure, shared by the agent adapter (every session error and Claude Code's own notices pass through it before they are
 * recorded) and the web UI.
 */

/** Where credentials are set, said once for every surface (web UI and CLI). */
export const CREDENTIALS_HELP =
  'add an API key or choose a model provider in autocoder’s Settings (web UI: Settings › Model provider; CLI: `autocoder config set apiKey <key>`), or run with the demo model (`--model demo`, no credentials needed)';

export const NOT_LOGGED_IN = `Claude Code has no model credentials: ${CREDENTIALS_HELP}.`;
export const KEY_REFUSED = `The model provider refused the credentials (invalid or revoked API key or token): ${CREDENTIALS_HELP}.`;
export const LOGIN_EXPIRED = `The Claude login has expired: run \`claude login\` again in a terminal, or ${CREDENTIALS_HELP}.`;
export const NO_CREDIT =
  'The Anthropic account has no credit left: add credit in the Anthropic Console, or choose another model provider in autocoder’s Settings.';

interface Rule {
  readonly test: RegExp;
  readonly message: string;
}

/** Whole-message translations, most specific first. */
const RULES: readonly Rule[] = [
  { test: /not logged in/i, message: NOT_LOGGED_IN },
  { test: /oauth token (has )?expired|token has expired|login (has )?expired/i, message: LOGIN_EXPIRED },
  {
    test: /invalid api key|invalid bearer token|oauth token (has been )?revoked|authentication_error|authentication_failed|\b401\b[^\n]*(unauthori[sz]ed|auth)/i,
    message: KEY_REFUSED,
  },
  { test: /credit balance is too low/i, message: NO_CREDIT },
];

/**
 * Claude Code's slash commands as they appear in its messages ("run /login", "· /config"), not paths such as an app's
 * `/login` route: the command follows "run", "use", "type", "try", "see", "or", "and", "with", "·", a quote or "(" (or
 * starts the text), and no path character follows it.
 */
const COMMAND =
  /(^|\b(?:run|use|type|try|see|or|and|with) |·\s*|[(`'"])\/(login|logout|config|model|status|doctor|permissions|cost|upgrade|mcp)\b(?![/\w-]|\.\w)/i;

const COMMAND_HINTS: Readonly<Record<string, string>> = {
  login: 'autocoder’s Settings to add credentials (an API key or another model provider), or the demo model',
  logout: 'the model provider in autocoder’s Settings',
  config: 'autocoder’s Settings (web UI: Settings; CLI: `autocoder config`)',
  model: 'the Model field of the Start dialog or autocoder’s Settings (`--model` in the CLI)',
  status: '`autocoder status`',
  doctor: '`autocoder doctor`',
  permissions: 'the project’s Settings (extra commands agents may run)',
  cost: 'the project’s Metrics',
  upgrade: 'the model provider in autocoder’s Settings',
  mcp: 'autocoder’s settings',
};

/** True when `text` names one of Claude Code's own commands (what translateClaudeMessage removes). */
export function namesClaudeCommand(text: string): boolean {
  return COMMAND.test(text);
}

/**
 * `text` (a session's error, a Claude Code notice) as a person using autocoder can act on it: a known message becomes
 * autocoder's guidance; any other that names a Claude Code command gets the command replaced by where the same thing
 * is done in autocoder; everything else is returned unchanged.
 */
export function translateClaudeMessage(text: string): string {
  for (const rule of RULES) if (rule.test.test(text)) return rule.message;
  if (!namesClaudeCommand(text)) return text;
  const global = new RegExp(COMMAND.source, 'gi');
  return text
    .replace(/\b(please )?run (?=\/)/gi, (m) => (m[0] === 'P' ? 'Please use ' : m[0] === 'R' ? 'Use ' : 'use '))
    .replace(global, (_m, before: string, cmd: string) => `${before}${COMMAND_HINTS[cmd.toLowerCase()] ?? cmd}`);
}

/** translateClaudeMessage for an optional text (session errors may be null). */
export function translateClaudeError<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? translateClaudeMessage(text) : text) as T;
}
