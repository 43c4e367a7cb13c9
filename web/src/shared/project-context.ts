import { createContext, useContext } from 'react';
import type { StreamState } from './ws/stream-state';

export interface ProjectContextValue {
  readonly name: string;
  readonly stream: StreamState;
  /** Features that passed in this browser session, newest first (for the subtle celebration). */
  readonly recentlyPassed: ReadonlySet<number>;
  readonly openFeature: (id: number) => void;
}

export const ProjectContext = createContext<ProjectContextValue | null>(null);

export function useProject(): ProjectContextValue {
  const v = useContext(ProjectContext);
  if (!v) throw new Error('useProject outside a project page');
  return v;
}
