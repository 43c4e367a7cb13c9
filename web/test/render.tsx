import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configure, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { ProjectContext } from '../src/shared/project-context';
import { setApiBase } from '../src/shared/api/client';
import { setServerToken } from '../src/shared/api/token';
import { ToastProvider } from '../src/shared/ui/toast';
import { initialStreamState } from '../src/shared/ws/stream-state';

// These tests wait for real fetches from a real server: Testing Library's default of 1 s for `findBy…`/`waitFor` is
// shorter than a fetch and a render take on a loaded 2-core machine (a full check with other work running missed a
// lazily loaded screenshot by it). A ceiling, not a delay: a test that passes waits no longer.
configure({ asyncUtilTimeout: 10_000 });

/**
 * Renders UI under the app's real providers, talking to a real server at `apiBase` with its
 * `token` (kept for the tab, as the page keeps the one from `#token=`). The routes record
 * where the UI navigated, so a test can check it.
 */
export function renderWithApp(
  ui: ReactNode,
  options: {
    apiBase: string;
    token: string;
    project?: string;
    path?: string;
    /** The route patterns the UI is rendered at (default `/`), e.g. `/projects/:name/design/:n?` for useParams. */
    routes?: readonly string[];
  },
) {
  setApiBase(options.apiBase);
  setServerToken(options.token);
  // jsdom has no <dialog> methods; the component falls back to rendering it open.
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const withProject = options.project ? (
    <ProjectContext.Provider
      value={{
        name: options.project,
        stream: initialStreamState,
        recentlyPassed: new Set(),
        openFeature: () => undefined,
      }}
    >
      {ui}
    </ProjectContext.Provider>
  ) : (
    ui
  );
  const router = createMemoryRouter(
    [
      ...(options.routes ?? ['/']).map((path) => ({ path, element: withProject })),
      { path: '/projects/:name', element: <p data-testid="navigated">project page</p> },
    ],
    { initialEntries: [options.path ?? '/'] },
  );
  const result = render(
    <QueryClientProvider client={client}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>,
  );
  return { ...result, router, client };
}
