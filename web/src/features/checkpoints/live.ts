import type { ServerMessage } from '@shared/events';

/** The stored events that change a checkpoint or a finding. */
const CHECKPOINT_EVENTS: ReadonlySet<string> = new Set([
  'checkpoint.started',
  'checkpoint.finished',
  'checkpoint.critical',
  'finding.dismissed',
]);

/**
 * Whether a stream message changes the Checkpoints page: a checkpoint began, ended or found something critical, a
 * finding was dismissed, a feature passed (a fix feature's pass marks its finding fix_pending), or a resync snapshot
 * (events may have been missed).
 */
export function changesCheckpoints(msg: ServerMessage): boolean {
  if (msg.type === 'snapshot') return true;
  if (msg.type === 'feature_update') return msg.eventType === 'feature.passed';
  return msg.type === 'event' && CHECKPOINT_EVENTS.has(msg.eventType);
}
