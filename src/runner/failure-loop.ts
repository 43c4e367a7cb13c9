import type { EventPort, NewHumanInputRequest } from '../db/ports.js';
import type { EventType } from '../shared/events.js';
import { repeatedFailure, type FailureHistoryEntry } from '../domain/loops.js';
import { keepEnd } from '../verify/output.js';

/**
 * A feature failing the same way twice in a row is not dispatched again until someone looks: the runner reads the
 * feature's newest failures from the event log and, when the two newest have the same fingerprint, asks in the Inbox
 * with the evidence instead of paying for a third attempt. Answering (a person or the supervisor) starts afresh.
 */

/** Events after which the feature starts afresh: an answer, a cancel, an override, a pass, a retry, a reopening. */
const RESETS: readonly EventType[] = [
  'feature.input_answered',
  'feature.input_cancelled',
  'feature.input_overridden',
  'feature.passed',
  'feature.retried',
  'feature.reopened',
];

/** The evidence shown in the request: each failure's text, its end kept. */
const EVIDENCE_CHARS = 600;

export function featureFailureLoop(
  events: Pick<EventPort, 'latest'>,
  featureId: number,
): { readonly fingerprint: string; readonly reasons: readonly [string, string] } | null {
  const newest = events.latest({ featureId, types: ['feature.failed', ...RESETS], limit: 10 });
  const history: FailureHistoryEntry[] = newest.map((e) =>
    e.type === 'feature.failed' ? { kind: 'failed', reason: e.payload.reason } : { kind: 'reset' },
  );
  return repeatedFailure(history);
}

/** A failure explains itself at its end (the failing check, the last error): keep that, saying what was cut. */
const clip = (text: string) =>
  text.length > EVIDENCE_CHARS ? keepEnd(text, EVIDENCE_CHARS).replace(/\]\n/, '] ') : text;

/** The Inbox request for a feature that failed the same way twice: the evidence, and room for guidance. */
export function failureLoopRequest(
  feature: { readonly id: number; readonly name: string },
  reasons: readonly [string, string],
): NewHumanInputRequest {
  return {
    kind: 'fields',
    prompt: `Feature #${feature.id} "${feature.name}" failed the same way twice in a row, so it is not tried again until you answer.\nAttempt before last: ${clip(reasons[0])}\nLast attempt: ${clip(reasons[1])}`,
    fields: [
      {
        id: 'guidance',
        label: `What should the next attempt at #${feature.id} do differently?`,
        type: 'textarea',
        required: true,
        help: 'Your answer goes into the feature notes the next session reads. To give up on it, skip it on the board.',
      },
    ],
  };
}
