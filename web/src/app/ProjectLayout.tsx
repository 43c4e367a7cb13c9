import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import type { ServerMessage } from '@shared/events';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '@shared/runs';
import { endpoints, keys } from '../shared/api/endpoints';
import { useProjectStream } from '../shared/ws/useProjectStream';
import { ProgressBar } from '../shared/ui/ProgressBar';
import { ScrollStrip } from '../shared/ui/ScrollStrip';
import { useToast } from '../shared/ui/toast';
import { PROJECT_TABS as TABS, useShortcuts } from '../shared/shortcuts';
import { celebrateAllPassing } from '../features/celebration/celebrate';
import { FeatureDrawer } from '../features/board/FeatureDrawer';
import { RunControls } from '../features/agents/RunControls';
import { ProjectContext, type ProjectContextValue } from '../shared/project-context';
import { formatCost } from '../shared/ui/format';
import { BudgetLeft } from './BudgetLeft';
import { useFocusReturn } from './focus-return';
import { useInboxCount } from '../shared/api/open-requests';
import { changesMetrics, METRICS_REFRESH_MS, throttle } from '../features/metrics/live';
import { changesCheckpoints } from '../features/checkpoints/live';
import { changesDesign } from '../features/design/live';

/** A project's frame: live stream, run controls, progress, tabs and the feature drawer. */
export function ProjectLayout() {
  const { name = '' } = useParams();
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const [recentlyPassed, setRecentlyPassed] = useState<ReadonlySet<number>>(new Set());
  const [allDone, setAllDone] = useState(false);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const wasComplete = useRef<boolean | null>(null);

  // Coalesce bursts of events into one refetch of what they change.
  const refresh = useCallback(
    (featureId: number | null) => {
      if (featureId !== null) void qc.invalidateQueries({ queryKey: keys.feature(name, featureId) });
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        void qc.invalidateQueries({ queryKey: keys.board(name) });
        void qc.invalidateQueries({ queryKey: keys.graph(name) });
        void qc.invalidateQueries({ queryKey: keys.projects });
        // feature.needs_input / input_answered / input_cancelled: the inbox and its badge.
        void qc.invalidateQueries({ queryKey: keys.humanInputAll(name) });
        // acceptance.disputed / acceptance.decided: the Inbox's disputes.
        void qc.invalidateQueries({ queryKey: keys.disputesAll(name) });
      }, 120);
    },
    [qc, name],
  );

  // The Metrics page recomputes everything on the server: refetch it at most every couple of seconds during a run.
  const metricsRefresh = useMemo(
    () => throttle(() => void qc.invalidateQueries({ queryKey: keys.metricsAll(name) }), METRICS_REFRESH_MS),
    [qc, name],
  );
  useEffect(() => () => metricsRefresh.cancel(), [metricsRefresh]);

  const onMessage = useCallback(
    (msg: ServerMessage) => {
      if (changesMetrics(msg)) metricsRefresh.request();
      if (changesCheckpoints(msg)) void qc.invalidateQueries({ queryKey: keys.checkpointsAll(name) });
      if (changesDesign(msg)) void qc.invalidateQueries({ queryKey: keys.designAll(name) });
      if (msg.type === 'feature_update') {
        refresh(msg.featureId);
        if (msg.status === 'passing' && msg.eventType === 'feature.passed' && msg.featureId !== null) {
          const id = msg.featureId;
          setRecentlyPassed((s) => new Set([id, ...s]));
          toast(`✓ ${msg.name ?? `Feature #${id}`} passes`, 'success');
        }
      } else if (msg.type === 'snapshot' || msg.type === 'progress') {
        const p = msg.type === 'snapshot' ? msg.progress : msg;
        const complete = p.total > 0 && p.passing === p.total;
        // Celebrate the moment the last feature passes, not every visit to a finished project.
        if (complete && wasComplete.current === false) {
          setAllDone(true);
          celebrateAllPassing();
        }
        wasComplete.current = complete;
        if (msg.type === 'snapshot') refresh(null);
      } else if (msg.type === 'run_status') {
        void qc.invalidateQueries({ queryKey: keys.project(name) });
        // The Projects page's cards show the run's state and last outcome.
        void qc.invalidateQueries({ queryKey: keys.projects });
      }
    },
    [refresh, toast, qc, name, metricsRefresh],
  );

  const stream = useProjectStream(name, { onMessage });
  const project = useQuery({ queryKey: keys.project(name), queryFn: () => endpoints.project(name) });
  const board = useQuery({ queryKey: keys.board(name), queryFn: () => endpoints.board(name) });
  const inbox = useInboxCount(name);
  const waiting = inbox.total;
  const cost = useMemo(
    () =>
      board.data
        ? Object.values(board.data)
            .flat()
            .reduce((sum, f) => sum + f.costUsd, 0)
        : null,
    [board.data],
  );

  const featureParam = Number(params.get('feature'));
  const openId = Number.isSafeInteger(featureParam) && featureParam > 0 ? featureParam : null;
  const rememberOpener = useFocusReturn(openId);
  const openFeature = useCallback(
    (id: number) => {
      rememberOpener();
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.set('feature', String(id));
        return next;
      });
    },
    [setParams, rememberOpener],
  );
  const closeFeature = () =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.delete('feature');
      return next;
    });

  const shortcuts = useMemo(
    () =>
      Object.fromEntries(
        TABS.map((t) => [t.key, () => void navigate(`/projects/${encodeURIComponent(name)}${t.to ? `/${t.to}` : ''}`)]),
      ),
    [navigate, name],
  );
  useShortcuts(shortcuts);

  const value: ProjectContextValue = useMemo(
    () => ({ name, stream, recentlyPassed, openFeature }),
    [name, stream, recentlyPassed, openFeature],
  );
  const model = typeof stream.run?.settings['model'] === 'string' ? stream.run.settings['model'] : null;

  if (project.error) {
    return (
      <main className="mx-auto max-w-xl px-6 py-16 text-center">
        <h1 className="text-2xl font-semibold">Project “{name}” cannot be opened</h1>
        <p className="mt-2 text-muted">{project.error.message}</p>
      </main>
    );
  }

  return (
    <ProjectContext.Provider value={value}>
      <div className="border-b-2 border-line bg-panel">
        <div className="mx-auto flex max-w-[1600px] flex-col gap-3 px-4 pt-4">
          {/* Compact on a phone: the path (also the title's tooltip) and the progress words only from sm up. */}
          <div className="flex flex-wrap items-center gap-x-6 gap-y-2 sm:items-start">
            <div className="min-w-0 flex-1">
              <h1 className="truncate text-xl font-bold sm:text-2xl" title={project.data?.path}>
                {name}
              </h1>
              <p className="hidden truncate font-mono text-xs text-muted sm:block" title={project.data?.path}>
                {project.data?.path ?? '…'}
              </p>
            </div>
            <RunControls />
          </div>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1 sm:gap-x-6 sm:gap-y-2">
            <div className="w-full min-w-0 sm:w-auto sm:min-w-64 sm:flex-1">
              {stream.progress?.total === 0 && stream.run?.lastOutcome?.outcome === 'no_features' ? (
                // Not "0/0 passing": there is no backlog because the initializer made none (mission control says why).
                <p className="text-sm font-medium text-st-failed" data-testid="no-features">
                  No features: the initializer session created none.
                </p>
              ) : (
                <ProgressBar progress={stream.progress} />
              )}
            </div>
            <p className="text-xs text-muted sm:text-sm">
              Cost so far <span className="font-semibold text-ink">{cost === null ? '…' : formatCost(cost)}</span>
            </p>
            <BudgetLeft budget={stream.run?.budget} />
            {model === DEMO_MODEL ? (
              <span className="rounded-full border border-st-input bg-st-input-bg px-2.5 py-0.5 text-xs font-semibold text-st-input">
                {DEMO_MODEL_LABEL}
              </span>
            ) : null}
            <span className={`text-xs ${stream.connected ? 'text-st-passing' : 'text-st-input'}`} role="status">
              {stream.connected ? '● live' : '○ reconnecting…'}
            </span>
          </div>
          {allDone ? (
            <div
              role="status"
              className="rounded-xl border border-st-passing bg-st-passing-bg px-4 py-2 text-sm font-medium text-st-passing"
            >
              ✓ Every feature passes. The app is built.
            </div>
          ) : null}
          <ScrollStrip label="Project views" current={location.pathname} className="-mb-0.5 gap-1">
            {TABS.map((t) => (
              <NavLink
                key={t.label}
                to={t.to}
                // A checkpoint's or iteration's own page (checkpoints/3, design/2) is still its tab.
                end={t.to !== 'checkpoints' && t.to !== 'design'}
                // A folder tab: the current one is a yellow block standing on the header's rule.
                className={({ isActive }) =>
                  `whitespace-nowrap rounded-t-lg border-2 border-b-0 px-3 py-1.5 text-sm font-semibold ${isActive ? 'border-line bg-pop text-pop-ink' : 'border-transparent text-muted hover:bg-sunken hover:text-ink'}`
                }
              >
                {t.label}
                {t.to === 'inbox' && waiting > 0 ? (
                  <span
                    data-testid="inbox-badge"
                    className="ml-1.5 inline-flex min-w-5 items-center justify-center rounded-full bg-st-input px-1.5 text-xs font-semibold text-panel"
                  >
                    {waiting}
                    <span className="sr-only">
                      {` open ${waiting === 1 ? 'request' : 'requests'}`}
                      {inbox.disputes > 0
                        ? `, ${inbox.disputes} of them ${inbox.disputes === 1 ? 'a dispute' : 'disputes'} of checks`
                        : ''}
                    </span>
                  </span>
                ) : null}
              </NavLink>
            ))}
          </ScrollStrip>
        </div>
      </div>
      <main className="mx-auto flex w-full max-w-[1600px] min-h-0 flex-1 flex-col px-4 py-4">
        <Outlet />
      </main>
      <FeatureDrawer featureId={openId} onClose={closeFeature} />
    </ProjectContext.Provider>
  );
}
