import { useQuery } from '@tanstack/react-query';
import { endpoints, keys } from './endpoints';

/** Open human-input requests of the project: one query shared by the inbox, mission control and the tab badge. */
export function useOpenRequests(project: string) {
  return useQuery({ queryKey: keys.humanInput(project, 'open'), queryFn: () => endpoints.humanInput(project, 'open') });
}
