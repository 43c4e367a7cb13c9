import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { AgentState, LogLine } from '@shared/events';
import { endpoints, keys } from '../../shared/api/endpoints';
import { slotLog, type AgentSlotView } from '../../shared/ws/stream-state';
import { Link } from 'react-router';
import { useOpenRequests } from '../../shared/api/open-requests';
import { useProject } from '../../shared/project-context';
import { Mascot, mascotForSlot } from '../../shared/ui/mascots';
import { AppPreview } from './AppPreview';
import { BrowserView } from './BrowserView';
import { LogView } from './LogView';
import { RunOutcomeBanner } from './RunOutcomeBanner';
import { SharedRunNotice } from './SharedRunNotice';

const STATE_LABEL: Record<AgentState, string> = {
  idle: 'Idle',
  thinking: 'Thinking',
  working: 'Working',
  testing: 'Testing',
  success: 'Done',
  error: 'Error',
};
const STATE_TONE: Record<AgentState, string> = {
  idle: 'bg-st-pending-bg text-st-pending',
  thinking: 'bg-st-progress-bg text-st-progress',
  working: 'bg-st-progress-bg text-st-progress',
  testing: 'bg-st-input-bg text-st-input',
  success: 'bg-st-passing-bg text-st-passing',
  error: 'bg-st-failed-bg text-st-failed',
};
type SlotKind = 'coding' | 'testing' | 'supervisor';

const IDLE_TEXT: Record<SlotKind, string> = {
  coding: 'Setting up the project',
  testing: 'Re-verifying passing features',
  supervisor: "Answering the agents' questions",
};

function AgentCard({
  slot,
  kind,
  agent,
  featureName,
  lines,
}: {
  slot: number;
  kind: SlotKind;
  agent: AgentSlotView | null;
  featureName: string | null;
  lines: readonly LogLine[];
}) {
  const { name, openFeature } = useProject();
  const mascot = mascotForSlot(slot);
  const state: AgentState = agent?.state ?? 'idle';
  // Watching is the slot's: it follows the slot's next session too, until the person stops it.
  const [watching, setWatching] = useState(false);
  const running = agent !== null && state !== 'success' && state !== 'error';
  return (
    <article
      data-testid={`agent-${slot}`}
      data-state={state}
      aria-labelledby={`agent-${slot}-name`}
      className="flex flex-col gap-3 rounded-2xl border border-line bg-panel p-4 shadow-card"
    >
      <header className="flex items-start gap-3">
        <Mascot name={mascot} state={state} size={60} />
        <div className="min-w-0 flex-1">
          {/* Wraps at 390 px instead of running into the Watch browser button. */}
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <h3 id={`agent-${slot}-name`} className="text-base font-semibold">
              {mascot}
            </h3>
            <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${STATE_TONE[state]}`}>
              {STATE_LABEL[state]}
            </span>
            <span className="text-xs whitespace-nowrap text-muted">
              {kind === 'coding' ? `coding agent · slot ${slot + 1}` : `${kind} agent`}
            </span>
          </div>
          {agent?.featureId ? (
            <button
              type="button"
              onClick={() => openFeature(agent.featureId!)}
              className="mt-0.5 block max-w-full truncate text-left text-sm text-accent underline-offset-2 hover:underline"
            >
              #{agent.featureId} {featureName ?? ''}
            </button>
          ) : (
            <p className="mt-0.5 text-sm text-muted">
              {agent ? IDLE_TEXT[kind] : kind === 'supervisor' ? 'Waiting for questions' : 'Waiting for work'}
            </p>
          )}
          {agent?.thought ? <p className="mt-1 line-clamp-2 text-sm text-muted italic">“{agent.thought}”</p> : null}
        </div>
        {running ? (
          <button
            type="button"
            // The label says what a press does; while watching, the button controls the view below it.
            aria-controls={watching ? `agent-${slot}-browser` : undefined}
            onClick={() => setWatching((w) => !w)}
            className="shrink-0 rounded-lg border border-line px-2.5 py-1 text-xs font-medium hover:bg-sunken"
          >
            {watching ? 'Stop watching' : 'Watch browser'}
          </button>
        ) : null}
      </header>
      {running && watching ? (
        <BrowserView id={`agent-${slot}-browser`} project={name} sessionId={agent.sessionId} agentName={mascot} />
      ) : null}
      <LogView lines={lines} label={`${mascot}'s activity`} />
    </article>
  );
}

/** One card per agent slot, each with its mascot, state, feature, last thought and live log. */
export function MissionControl() {
  const { name, stream } = useProject();
  const board = useQuery({ queryKey: keys.board(name), queryFn: () => endpoints.board(name) });
  const names = new Map(
    board.data
      ? Object.values(board.data)
          .flat()
          .map((f) => [f.id, f.name])
      : [],
  );
  // Slots 0…concurrency-1 code; the next testingRatio slots re-verify; then the supervisor's (as the runner numbers
  // them).
  const setting = (key: string) => {
    const v = Number(stream.run?.settings[key] ?? 0);
    return Number.isFinite(v) ? v : 0;
  };
  const codingSlots = Math.max(1, setting('concurrency'));
  const testingSlots = stream.run?.settings['yolo'] === true ? 0 : setting('testingRatio');
  const supervisorSlot = stream.run?.settings['supervisor'] === true ? codingSlots + testingSlots : null;
  const slots = Math.max(
    codingSlots + testingSlots + (supervisorSlot === null ? 0 : 1),
    ...[...stream.agents.keys()].map((s) => s + 1),
    1,
  );
  const kindOf = (slot: number): SlotKind =>
    slot === supervisorSlot ? 'supervisor' : slot >= codingSlots ? 'testing' : 'coding';
  const recent = stream.log.slice(-80);
  const waiting = useOpenRequests(name).data?.requests.length ?? 0;
  // The last run's ending while none runs (the server sends it only then): it stays until the next run starts.
  const ending = stream.run?.lastOutcome ?? null;
  if (!stream.synced) return <p className="text-muted">Connecting to the live stream…</p>;
  return (
    <section aria-label="Mission control" className="flex flex-col gap-4">
      {ending ? <RunOutcomeBanner ending={ending} project={name} /> : null}
      <SharedRunNotice run={stream.run} />
      <AppPreview />
      {waiting > 0 ? (
        <p
          role="status"
          data-testid="waiting-for-answers"
          className="rounded-2xl border border-st-input bg-st-input-bg px-4 py-3 text-sm"
        >
          {waiting === 1 ? 'A question from the agents waits' : `${waiting} questions from the agents wait`} for your
          answer; {waiting === 1 ? 'its feature stays' : 'their features stay'} in Needs input until then.{' '}
          <Link
            to={`/projects/${encodeURIComponent(name)}/inbox`}
            className="font-semibold text-accent underline underline-offset-2"
          >
            Answer in the Inbox
          </Link>
        </p>
      ) : null}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2 2xl:grid-cols-3">
        {Array.from({ length: slots }, (_, slot) => {
          const agent = stream.agents.get(slot) ?? null;
          const lines = slotLog(stream.log, slot, agent?.sessionId ?? null).slice(-120);
          return (
            <AgentCard
              key={slot}
              slot={slot}
              kind={kindOf(slot)}
              agent={agent}
              featureName={agent?.featureId ? (names.get(agent.featureId) ?? null) : null}
              lines={lines}
            />
          );
        })}
      </div>
      <section aria-labelledby="all-activity" className="rounded-2xl border border-line bg-panel p-4">
        <h2 id="all-activity" className="mb-2 text-sm font-semibold">
          All activity
        </h2>
        <LogView lines={recent} label="All agents' activity" />
      </section>
    </section>
  );
}
