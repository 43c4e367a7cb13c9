/**
 * One readable line per agent tool call (`Write src/add.js (+12 lines)`, `Bash git commit -m "…"`, `Marks feature #3
 * passing`), and the full input as readable text for whoever asks for it. Pure: the web UI's feed and transcript, the
 * CLI's `logs` and the runner (which stores the line beside the clipped input) all read calls through it.
 */

/** How long the interesting part of a line (a command, a reason, a query) may be before it is cut with "…". */
export const TOOL_LINE_MAX = 140;

type Input = Readonly<Record<string, unknown>>;

const oneLine = (text: string, max = TOOL_LINE_MAX): string => {
  const lines = text.trim().split('\n');
  const first = lines[0]!.trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : lines.length > 1 ? `${first} …` : first;
};

const clipLine = (text: string, max = TOOL_LINE_MAX): string =>
  text.trim().length > max ? `${text.trim().slice(0, max - 1)}…` : text.trim();

const str = (input: Input, key: string): string | null => {
  const v = input[key];
  return typeof v === 'string' && v.trim() !== '' ? v : null;
};
const num = (input: Input, key: string): number | null => {
  const v = input[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
const list = (input: Input, key: string): readonly unknown[] | null => {
  const v = input[key];
  return Array.isArray(v) ? v : null;
};
const lineCount = (text: string): number => (text === '' ? 0 : text.replace(/\n$/, '').split('\n').length);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const feature = (input: Input): string => {
  const id = num(input, 'feature_id');
  return id === null ? 'a feature' : `feature #${id}`;
};
/** "…: reason" when there is one. */
const because = (input: Input, key: string): string => {
  const v = str(input, key);
  return v === null ? '' : `: ${oneLine(v)}`;
};

/** Built-in Claude Code tools: the tool's name, then what it acts on. */
const BUILTIN: Record<string, (input: Input) => string> = {
  Bash: (i) => {
    const command = str(i, 'command');
    return command === null ? (str(i, 'description') ?? '') : oneLine(command);
  },
  Read: (i) => {
    const offset = num(i, 'offset');
    const limit = num(i, 'limit');
    const range =
      offset === null && limit === null
        ? ''
        : limit === null
          ? ` (from line ${offset})`
          : ` (lines ${offset ?? 1}–${(offset ?? 1) + limit - 1})`;
    return `${str(i, 'file_path') ?? ''}${range}`;
  },
  Write: (i) => {
    const content = str(i, 'content') ?? '';
    return `${str(i, 'file_path') ?? ''} (+${plural(lineCount(content), 'line')})`;
  },
  Edit: (i) => {
    const removed = lineCount(str(i, 'old_string') ?? '');
    const added = lineCount(str(i, 'new_string') ?? '');
    const all = i['replace_all'] === true ? ', every occurrence' : '';
    return `${str(i, 'file_path') ?? ''} (−${removed} +${plural(added, 'line')}${all})`;
  },
  MultiEdit: (i) => `${str(i, 'file_path') ?? ''} (${plural(list(i, 'edits')?.length ?? 0, 'edit')})`,
  NotebookEdit: (i) => str(i, 'notebook_path') ?? '',
  Glob: (i) => `${str(i, 'pattern') ?? ''}${str(i, 'path') === null ? '' : ` in ${str(i, 'path')}`}`,
  Grep: (i) => {
    const where = str(i, 'path') ?? str(i, 'glob');
    return `"${oneLine(str(i, 'pattern') ?? '', 80)}"${where === null ? '' : ` in ${where}`}`;
  },
  LS: (i) => str(i, 'path') ?? '',
  TodoWrite: (i) => {
    const todos = list(i, 'todos') ?? [];
    const done = todos.filter((t) => typeof t === 'object' && t !== null && 'status' in t && t.status === 'completed');
    return `${plural(todos.length, 'item')}, ${done.length} done`;
  },
  Task: (i) => oneLine(str(i, 'description') ?? str(i, 'prompt') ?? ''),
  WebFetch: (i) => str(i, 'url') ?? '',
  WebSearch: (i) => `"${oneLine(str(i, 'query') ?? '', 80)}"`,
};

/** Our MCP tools (feature backlog, human input, reviews, verdicts, spec chat): what the call means to a person. */
const MEANING: Record<string, (input: Input) => string> = {
  feature_get_stats: () => 'Checks the backlog’s progress',
  feature_get_next: () => 'Looks for the next feature to build',
  feature_claim_next: () => 'Claims the next feature to build',
  feature_get_by_id: (i) => `Reads ${feature(i)}`,
  feature_mark_passing: (i) => `Marks ${feature(i)} passing`,
  feature_mark_failing: (i) => `Marks ${feature(i)} failing${because(i, 'reason')}`,
  feature_mark_verified: (i) => `Confirms ${feature(i)} still passes`,
  feature_skip: (i) => `Skips ${feature(i)}${because(i, 'reason')}`,
  feature_release: (i) => `Hands ${feature(i)} back to the backlog`,
  feature_create: (i) => `Adds a feature${str(i, 'name') === null ? '' : ` “${oneLine(str(i, 'name')!, 80)}”`}`,
  feature_create_bulk: (i) => `Adds ${plural(list(i, 'features')?.length ?? 0, 'feature')} to the backlog`,
  feature_add_dependency: (i) => `Makes ${feature(i)} depend on #${num(i, 'dependency_id') ?? '?'}`,
  feature_remove_dependency: (i) => `Removes ${feature(i)}’s dependency on #${num(i, 'dependency_id') ?? '?'}`,
  feature_set_dependencies: (i) => {
    const ids = (list(i, 'dependency_ids') ?? []).filter((d) => typeof d === 'number');
    return `Sets ${feature(i)}’s dependencies: ${ids.length === 0 ? 'none' : ids.map((d) => `#${d}`).join(', ')}`;
  },
  feature_get_ready: () => 'Lists the features ready to build',
  feature_get_blocked: () => 'Lists the blocked features',
  feature_get_graph: () => 'Reads the dependency graph',
  feature_get_for_regression: () => 'Picks passing features to re-verify',
  feature_request_human_input: (i) => `Asks you about ${feature(i)}${because(i, 'prompt')}`,
  ask_user: (i) => {
    const questions = (list(i, 'questions') ?? []).flatMap((q) =>
      typeof q === 'object' && q !== null && 'question' in q && typeof q.question === 'string' ? [q.question] : [],
    );
    return `Asks you about ${feature(i)}${questions.length === 0 ? '' : `: ${oneLine(questions.join(' / '))}`}`;
  },
  feature_dispute_acceptance: (i) => `Disputes ${feature(i)}’s acceptance checks${because(i, 'reason')}`,
  supervisor_answer: (i) => `Answers request ${str(i, 'request_id') ?? ''}`.trim(),
  review_add_finding: (i) =>
    `Reports a ${str(i, 'severity') ?? ''} finding${because(i, 'title')}`.replace('a  finding', 'a finding'),
  review_finish: () => 'Finishes the review',
  design_vote: (i) => {
    const score = num(i, 'score');
    return `Votes ${i['approve'] === true ? 'to ship' : 'for changes'}${score === null ? '' : ` (${score}/10)`}`;
  },
  verifier_verdict: (i) => {
    const reasons = list(i, 'reasons')?.length ?? 0;
    return str(i, 'verdict') === 'reject'
      ? `Rejects the feature (${plural(reasons, 'reason')})`
      : 'Approves the feature to land';
  },
  submit_app_spec: () => 'Submits the app spec',
};

/** `mcp__features__feature_mark_passing` → `{ server: 'features', name: 'feature_mark_passing' }`. */
export function splitToolName(tool: string): { server: string | null; name: string } {
  const m = /^mcp__([^_]+(?:_[^_]+)*?)__(.+)$/.exec(tool);
  return m ? { server: m[1]!, name: m[2]! } : { server: null, name: tool };
}

/**
 * The input of a call as stored: an object, or (in the event log) JSON text that may have been cut at the log line
 * limit. A cut text still yields the complete `"key": value` pairs before the cut, so a long Write keeps its path.
 */
export function readToolInput(input: unknown): Input {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input as Input;
  if (typeof input !== 'string') return {};
  const parsed = jsonValue(input);
  if (parsed !== undefined)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Input) : {};
  const out: Record<string, unknown> = {};
  for (const m of input.matchAll(/"(\w+)":("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)(?=[,}])/g)) {
    const value = jsonValue(m[2]!);
    if (value !== undefined) out[m[1]!] = value;
  }
  // The string the cut fell in: its beginning, marked as cut (left out when an escape was cut in half).
  const open = /"(\w+)":"((?:[^"\\]|\\.)*)(?:\\|\\u[0-9a-fA-F]{0,3})?$/.exec(input.replace(/…$/, ''));
  const start = open ? jsonValue(`"${open[2]!}"`) : undefined;
  if (open && typeof start === 'string' && !(open[1]! in out)) out[open[1]!] = `${start}…`;
  return out;
}

/** The value of JSON text; undefined when it is not JSON (a cut or older input, read another way: not an error). */
function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The one line a tool call reads as, e.g. `Write src/features/add.js (+12 lines)` or `Marks feature #3 passing`. */
export function toolCallLine(tool: string, rawInput: unknown): string {
  const input = readToolInput(rawInput);
  const { server, name } = splitToolName(tool);
  // An input that is not JSON at all (older rows): the tool and the text as it is, on one line.
  if (typeof rawInput === 'string' && Object.keys(input).length === 0 && !/^\s*\{/.test(rawInput))
    return `${name} ${clipLine(rawInput.replace(/\s+/g, ' '))}`.trim();
  const meaning = MEANING[name];
  if (meaning) return meaning(input);
  const builtin = server === null ? BUILTIN[name] : undefined;
  if (builtin) return `${name} ${builtin(input)}`.trim();
  // Any other tool: its name (and server), then its first short text argument.
  const label = server === null ? name : `${name.replace(/_/g, ' ')} (${server})`;
  const first = Object.values(input).find((v): v is string => typeof v === 'string' && v.trim() !== '');
  return first === undefined ? label : `${label} ${oneLine(first, 80)}`;
}

/**
 * The whole input for the on-demand detail: one `key: value` per argument, long texts (file contents, commands) as
 * their own indented block rather than a JSON string full of `\n`.
 */
export function toolInputDetail(rawInput: unknown): string {
  // Cut at the log line limit: the text as it is.
  if (typeof rawInput === 'string' && jsonValue(rawInput) === undefined) return rawInput;
  const input = readToolInput(rawInput);
  const entries = Object.entries(input);
  if (entries.length === 0) return '(no arguments)';
  return entries
    .map(([k, v]) =>
      typeof v === 'string'
        ? v.includes('\n')
          ? `${k}:\n${v
              .replace(/\n$/, '')
              .split('\n')
              .map((l) => `  ${l}`)
              .join('\n')}`
          : `${k}: ${v}`
        : `${k}: ${JSON.stringify(v, null, 2)}`,
    )
    .join('\n');
}

/** Whether a tool is one of ours (backlog, human input, reviews, verdicts, spec chat), read by its meaning. */
export function isOwnTool(tool: string): boolean {
  return splitToolName(tool).name in MEANING;
}

/** What a built-in tool's successful result says to a person, where its own text is written for the model. */
const BUILTIN_RESULT: Record<string, (text: string) => string> = {
  Write: () => 'saved',
  Edit: () => 'saved',
  MultiEdit: () => 'saved',
  NotebookEdit: () => 'saved',
  TodoWrite: () => 'updated',
  Read: (text) => `read ${plural(text.trim() === '' ? 0 : text.trim().split('\n').length, 'line')}`,
};

/**
 * A tool result folded to one line: its first line and how much more there is (the rest on demand). Where the text is
 * written for the model (our own tools' JSON and next steps in tool names, Claude Code's "file state is current in
 * your context…"), people read only what happened.
 */
export function toolResultLine(text: string, isError: boolean, tool?: string): string {
  if (tool !== undefined && isOwnTool(tool)) return isError ? 'refused (the reason is in the details)' : 'done';
  const builtin = tool === undefined || isError ? undefined : BUILTIN_RESULT[splitToolName(tool).name];
  if (builtin) return builtin(text);
  const trimmed = text
    .replace(/<\/?tool_use_error>/g, '')
    .replace(/^\((?:Bash )?completed with no output\)$/, '')
    .trim();
  const lines = trimmed === '' ? 0 : trimmed.split('\n').length;
  const first = trimmed.split('\n')[0]!;
  const head = trimmed === '' ? '(no output)' : oneLine(isError ? first.replace(/^Error:\s*/, '') : first, 100);
  const more = lines > 1 ? ` (+${plural(lines - 1, 'more line')})` : '';
  return `${isError ? 'error: ' : ''}${head}${more}`;
}
