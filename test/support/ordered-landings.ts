/**
 * Two features worked at once in an order that makes the second land from a branch cut before the
 * first landed (so it is behind main when it finishes): feature #1 marks passing only once #2's
 * session has begun, and #2 only once #1 has landed. Wraps a script; also keeps what every coding
 * session was told by `feature_mark_passing` (once per call: Claude Code may send a request twice).
 * For the merge queue's own rebase (issue #23): test/integration/runner-rebase, test/e2e/merge-queue.
 */
import {
  assignedFeature,
  FEATURE_TOOL,
  type Conversation,
  type Script,
  type ToolResultView,
} from './fake-anthropic/index.js';

const MARK = FEATURE_TOOL('feature_mark_passing');

export interface OrderedLandings {
  readonly script: Script;
  /** The answers feature `id`'s sessions got from feature_mark_passing, in order. */
  answers(id: number): ToolResultView[];
}

export function orderedLandings(script: Script): OrderedLandings {
  let started2!: () => void;
  let landed1!: () => void;
  const twoStarted = new Promise<void>((resolve) => (started2 = resolve));
  const oneLanded = new Promise<void>((resolve) => (landed1 = resolve));
  const seen = new Map<string, { id: number; result: ToolResultView }>();
  return {
    async script(conv: Conversation) {
      const id = assignedFeature(conv);
      if (id !== null) {
        for (const r of conv.lastToolResults.filter((t) => t.name === MARK)) {
          seen.set(r.toolUseId, { id, result: r });
          if (id === 1 && !r.isError) landed1();
        }
        if (id === 2) started2();
        const last = conv.lastToolResults[0];
        const command = typeof last?.input.command === 'string' ? last.input.command : '';
        // The next reply is the session's first feature_mark_passing.
        if (command.startsWith('git add -A && git commit') && !conv.toolResults.some((t) => t.name === MARK))
          await (id === 1 ? twoStarted : oneLanded);
      }
      return script(conv);
    },
    answers: (id) => [...seen.values()].filter((s) => s.id === id).map((s) => s.result),
  };
}
