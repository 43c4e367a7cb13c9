import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError } from '../shared/api/client';
import { isTokenRejected, subscribeTokenState } from '../shared/api/token';
import { ToastProvider } from '../shared/ui/toast';
import { routes } from './routes';
import { TokenPrompt } from './TokenPrompt';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      refetchOnWindowFocus: true,
      // 4xx answers will not change by asking again.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

const router = createBrowserRouter(routes);

/** The app, or the token prompt once the server refused the token (on any page). */
export function App() {
  const needsToken = useSyncExternalStore(subscribeTokenState, isTokenRejected);
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        {needsToken ? (
          <main>
            <TokenPrompt />
          </main>
        ) : (
          <RouterProvider router={router} />
        )}
      </ToastProvider>
    </QueryClientProvider>
  );
}
