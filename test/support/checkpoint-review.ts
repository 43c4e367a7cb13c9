/**
 * The reviewers of a checkpoint, scripted (for the scripted runtime and the scripted model server): the security
 * reviewer finds an SQL injection at checkpoint 1 only; the code reviewer finds the same long function every time;
 * every reviewer then finishes with a summary.
 */
import { FEATURE_TOOL, reply, type Conversation } from './fake-anthropic/index.js';

/** "# Checkpoint 2 of "notes": security audit" → [2, 'security']. */
export const reviewOf = (conv: Conversation): [number, string] | null => {
  const m = /^# Checkpoint (\d+) of "[^"]+": (code review|security audit|performance review)/m.exec(conv.prompt);
  return m ? [Number(m[1]), (m[2] as string).split(' ')[0] as string] : null;
};

export const SQL_INJECTION = {
  severity: 'critical',
  category: 'sql-injection',
  title: 'Search builds SQL from the query string',
  detail: 'GET /api/search concatenates q into the SQL text.',
  file: 'server.cjs',
  line: 12,
  evidence: "curl '127.0.0.1/api/search?q=%27%20OR%201=1' returned every row",
  suggestedFix: 'Use a parameterised query.',
};
export const LONG_FUNCTION = {
  severity: 'minor',
  category: 'maintainability',
  title: 'The request handler does everything in one function',
  detail: 'Routing, validation and storage are in one 80-line function.',
  file: 'server.cjs',
};

/** The files a reviewer's prompt names (the facts, the diff, the open findings), in backticks. */
const inputFiles = (conv: Conversation): string[] =>
  [...conv.prompt.matchAll(/`(\/[^`\n]+\.(?:json|patch))`/g)].map((m) => m[1] as string);

/**
 * The reviewers: security finds the injection at checkpoint 1 only; code finds the long function both times. With
 * `readInputs` (a real Claude Code, whose Read runs), each first reads the files its prompt names, and its summary
 * says whether it could: "inputs: 3 read" or what was refused.
 */
export function reviewer(conv: Conversation, options: { readInputs?: boolean } = {}) {
  const [n, kind] = reviewOf(conv) ?? [0, ''];
  const reads = options.readInputs === true ? 1 : 0;
  if (reads === 1 && conv.turn === 0)
    return inputFiles(conv).reduce((r, file) => r.tool('Read', { file_path: file }), reply());
  const findings = kind === 'security' && n === 1 ? [SQL_INJECTION] : kind === 'code' ? [LONG_FUNCTION] : [];
  const finding = findings[conv.turn - reads];
  if (finding !== undefined) return reply().tool(FEATURE_TOOL('review_add_finding'), finding);
  if (conv.turn - reads === findings.length) {
    const read = conv.toolResults.filter((r) => r.name === 'Read');
    const refused = read.filter((r) => r.isError).map((r) => r.text.slice(0, 200));
    const inputs = reads === 0 ? '' : ` inputs: ${refused.length === 0 ? `${read.length} read` : refused.join(' | ')}`;
    return reply().tool(FEATURE_TOOL('review_finish'), { summary: `${kind} review of checkpoint ${n} done.${inputs}` });
  }
  return reply().text('Done.');
}
