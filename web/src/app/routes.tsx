import type { RouteObject } from 'react-router';
import { Shell } from './Shell';
import { NotFound } from './NotFound';
import { ProjectsPage } from '../features/projects/ProjectsPage';
import { ProjectLayout } from './ProjectLayout';
import { MissionControl } from '../features/agents/MissionControl';
import { BoardPage } from '../features/board/BoardPage';
import { GraphPage } from '../features/graph/GraphPage';
import { ProjectSettingsPage } from '../features/settings/ProjectSettingsPage';
import { InboxPage } from '../features/inbox/InboxPage';
import { CheckpointsPage } from '../features/checkpoints/CheckpointsPage';
import { DesignPage } from '../features/design/DesignPage';
import { GlobalSettingsPage } from '../features/settings/GlobalSettingsPage';

/**
 * Deep links: /settings[#provider] (for all projects);
 * /projects/:name[/board|/graph|/inbox|/metrics|/checkpoints|/design|/settings][?feature=<id>];
 * /inbox#request-for-<feature id>; /metrics?run=<run id>;
 * /checkpoints[/<n>][?severity=&agent=&status=][&finding=<finding id>]; /design[/<iteration n>]
 */
export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Shell />,
    children: [
      { index: true, element: <ProjectsPage /> },
      { path: 'settings', element: <GlobalSettingsPage /> },
      {
        path: 'projects/:name',
        element: <ProjectLayout />,
        children: [
          { index: true, element: <MissionControl /> },
          { path: 'board', element: <BoardPage /> },
          { path: 'graph', element: <GraphPage /> },
          { path: 'inbox', element: <InboxPage /> },
          // Loaded on first visit: the charts library is most of its weight, and no other view needs it.
          {
            path: 'metrics',
            lazy: async () => ({ Component: (await import('../features/metrics/MetricsPage')).MetricsPage }),
          },
          { path: 'checkpoints', element: <CheckpointsPage /> },
          { path: 'checkpoints/:n', element: <CheckpointsPage /> },
          { path: 'design', element: <DesignPage /> },
          { path: 'design/:n', element: <DesignPage /> },
          { path: 'settings', element: <ProjectSettingsPage /> },
        ],
      },
      { path: '*', element: <NotFound /> },
    ],
  },
];
