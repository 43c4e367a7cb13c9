import { useQuery } from '@tanstack/react-query';
import type { Dispute } from '@shared/acceptance';
import type { HumanInputRequestDTO } from '@shared/human-input';
import { endpoints, keys } from './endpoints';

/** Open human-input requests of the project: one query shared by the inbox, mission control and the tab badge. */
export function useOpenRequests(project: string) {
  return useQuery({ queryKey: keys.humanInput(project, 'open'), queryFn: () => endpoints.humanInput(project, 'open') });
}

/** Open acceptance disputes of the project: shared by the inbox and the tab badge. */
export function useOpenDisputes(project: string) {
  return useQuery({ queryKey: keys.disputes(project, 'open'), queryFn: () => endpoints.disputes(project, 'open') });
}

/** What waits in the Inbox: every open request, and the open disputes among them (or beside them). */
export interface InboxCount {
  readonly total: number;
  readonly disputes: number;
}

/**
 * A dispute is asked through a human-input request, so it is counted once: as a request when its request is open,
 * on its own when it has none (a dispute whose request is missing must still be seen). Pure.
 */
export function inboxCount(requests: readonly HumanInputRequestDTO[], disputes: readonly Dispute[]): InboxCount {
  const requestIds = new Set(requests.map((r) => r.id));
  const alone = disputes.filter((d) => d.requestId === null || !requestIds.has(d.requestId)).length;
  const asked = new Set([...requests.flatMap((r) => (r.disputeId ? [r.disputeId] : [])), ...disputes.map((d) => d.id)]);
  return { total: requests.length + alone, disputes: asked.size };
}

/** The Inbox tab's badge: what waits for a person. */
export function useInboxCount(project: string): InboxCount {
  const requests = useOpenRequests(project).data?.requests ?? [];
  const disputes = useOpenDisputes(project).data?.disputes ?? [];
  return inboxCount(requests, disputes);
}
