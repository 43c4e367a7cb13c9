import type { ServerMessage } from '@shared/events';

/** The stored events that change a design iteration or a design finding. */
const DESIGN_EVENTS: ReadonlySet<string> = new Set([
  'design.iteration_started',
  'design.iteration_finished',
  'design.finding_dismissed',
]);

/**
 * Whether a stream message changes the Design page: an iteration began or ended, a design finding was dismissed, a
 * feature passed (a design fix feature's pass changes its finding), or a resync snapshot (events may have been missed).
 */
export function changesDesign(msg: ServerMessage): boolean {
  if (msg.type === 'snapshot') return true;
  if (msg.type === 'feature_update') return msg.eventType === 'feature.passed';
  return msg.type === 'event' && DESIGN_EVENTS.has(msg.eventType);
}
