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

/** The reviewers: security finds the injection at checkpoint 1 only; code finds the long function both times. */
export function reviewer(conv: Conversation) {
  const [n, kind] = reviewOf(conv) ?? [0, ''];
  const findings = kind === 'security' && n === 1 ? [SQL_INJECTION] : kind === 'code' ? [LONG_FUNCTION] : [];
  const finding = findings[conv.turn];
  if (finding !== undefined) return reply().tool(FEATURE_TOOL('review_add_finding'), finding);
  if (conv.turn === findings.length)
    return reply().tool(FEATURE_TOOL('review_finish'), { summary: `${kind} review of checkpoint ${n} done.` });
  return reply().text('Done.');
}
