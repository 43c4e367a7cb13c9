import type { AcceptanceDispute, Feature, ProjectStore } from '../db/ports.js';
import { exportAcceptance } from './acceptance-export.js';

/**
 * A person (the API, the CLI) decides an acceptance dispute: accepted, the proposed checks
 * replace the frozen ones (a new hash) and the export in the project is rewritten at once;
 * rejected, they stay. Either way the feature is back to pending, first in line, with a note.
 */
export function decideDispute(
  store: Pick<ProjectStore, 'disputes' | 'features' | 'paths'>,
  id: string,
  decision: { readonly accept: boolean; readonly reason: string | null; readonly by?: 'human' | 'supervisor' },
): { dispute: AcceptanceDispute; feature: Feature } {
  const result = store.disputes.decide(id, {
    accept: decision.accept,
    reason: decision.reason,
    by: decision.by ?? 'human',
  });
  if (decision.accept) exportAcceptance(store.paths.root, store.features);
  return result;
}
