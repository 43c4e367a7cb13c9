import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Link, useLocation } from 'react-router';
import type { HumanInputRequestDTO } from '@shared/human-input';
import { endpoints, keys } from '../../shared/api/endpoints';
import { inboxCount, useOpenDisputes, useOpenRequests } from '../../shared/api/open-requests';
import { Button } from '../../shared/ui/Button';
import { useProject } from '../../shared/project-context';
import { HumanInputForm } from './HumanInputForm';
import { DecidedDispute, OpenDispute } from './Disputes';

const when = (ms: number) => new Date(ms).toLocaleString();

/** The anchor of a feature's open request (the board's "Needs input" cards link here). */
export const requestAnchor = (featureId: number) => `request-for-${featureId}`;

function OpenRequest({ project, request }: { project: string; request: HumanInputRequestDTO }) {
  const titleId = useId();
  return (
    <article
      id={requestAnchor(request.featureId)}
      tabIndex={-1}
      aria-labelledby={titleId}
      data-request-id={request.id}
      className="scroll-mt-4 rounded-[var(--radius-card)] border border-st-input bg-panel p-4 shadow-card outline-none focus-visible:ring-2 focus-visible:ring-focus"
    >
      <header className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={titleId} className="text-base font-semibold">
          <span className="mr-1 font-mono text-sm text-muted">#{request.featureId}</span>
          {request.featureName ?? `Feature #${request.featureId}`}
        </h3>
        <p className="text-xs text-muted">
          {request.kind === 'questions' ? 'Questions' : 'Input'} asked {when(request.createdAt)} ·{' '}
          <span className="font-mono">{request.id}</span>
        </p>
      </header>
      <p className="mb-4 whitespace-pre-wrap text-sm">{request.prompt}</p>
      <HumanInputForm project={project} request={request} />
    </article>
  );
}

/** The anchor of a request in the history (an override and the answer it replaces link to each other). */
export const historyAnchor = (requestId: string) => `request-${requestId}`;

const shown = (v: string | number | boolean) => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

function ClosedRequest({ project, request }: { project: string; request: HumanInputRequestDTO }) {
  const [overriding, setOverriding] = useState(false);
  const secrets = Object.entries(request.secretKeys);
  const values = Object.entries(request.answer ?? {});
  const label = (fieldId: string) => request.fields.find((f) => f.id === fieldId)?.label ?? fieldId;
  const bySupervisor = request.status === 'answered' && request.answeredBy === 'supervisor';
  const canOverride = bySupervisor && request.overriddenBy === null;
  const reason = (fieldId: string) =>
    request.reasons[fieldId] ? (
      <p data-testid="supervisor-reason" className="mt-0.5 font-sans text-xs text-muted">
        Why: {request.reasons[fieldId]}
      </p>
    ) : null;
  return (
    <li
      id={historyAnchor(request.id)}
      tabIndex={-1}
      data-request-id={request.id}
      className="scroll-mt-4 rounded-[var(--radius-card)] border border-line bg-panel p-3 text-sm outline-none focus-visible:ring-2 focus-visible:ring-focus"
    >
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <span className="font-medium">
          <span className="mr-1 font-mono text-xs text-muted">#{request.featureId}</span>
          {request.featureName ?? `Feature #${request.featureId}`}
        </span>
        {request.status === 'answered' ? (
          bySupervisor ? (
            <span
              data-testid="answered-by"
              className="rounded-full border border-st-progress bg-st-progress-bg px-2 py-0.5 text-xs font-semibold text-st-progress"
            >
              answered by supervisor
            </span>
          ) : (
            <span
              data-testid="answered-by"
              className="rounded-full bg-st-passing-bg px-2 py-0.5 text-xs font-semibold text-st-passing"
            >
              answered by {request.answeredBy ?? 'a human'}
            </span>
          )
        ) : (
          <span className="rounded-full bg-st-pending-bg px-2 py-0.5 text-xs font-semibold text-st-pending">
            cancelled{request.answeredBy ? ` by ${request.answeredBy}` : ''}
          </span>
        )}
        {request.overriddenBy ? (
          <Link
            data-testid="overridden-by"
            to={{ hash: historyAnchor(request.overriddenBy) }}
            className="text-xs font-semibold text-accent underline underline-offset-2"
          >
            overridden by a human
          </Link>
        ) : null}
        {request.overrides ? (
          <Link
            data-testid="overrides"
            to={{ hash: historyAnchor(request.overrides) }}
            className="text-xs font-semibold text-accent underline underline-offset-2"
          >
            overrides the supervisor’s answer
          </Link>
        ) : null}
        <span className="text-xs text-muted">{request.answeredAt ? when(request.answeredAt) : ''}</span>
      </div>
      <p className="mt-1 text-muted">{request.prompt}</p>
      {values.length + secrets.length > 0 ? (
        <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
          {values.map(([id, v]) => (
            <div key={id} className="contents">
              <dt className="text-muted">{label(id)}</dt>
              <dd className="break-all font-mono">
                {shown(v)}
                {reason(id)}
              </dd>
            </div>
          ))}
          {secrets.map(([id, key]) => (
            <div key={id} className="contents">
              <dt className="text-muted">{label(id)}</dt>
              <dd>
                {request.placeholderKeys.includes(key) ? (
                  <>
                    <span
                      data-testid="placeholder"
                      className="mr-1 rounded-full border border-st-input bg-st-input-bg px-2 py-0.5 text-xs font-semibold text-st-input"
                    >
                      ⚠ development placeholder
                    </span>
                    {request.overriddenBy ? 'was' : 'is'} in <span className="font-mono">.env</span> as{' '}
                    <span className="font-mono font-semibold">{key}</span>
                    {request.overriddenBy ? ', since replaced by the human’s value' : ', not a real credential'}
                  </>
                ) : (
                  <>
                    secret, saved in <span className="font-mono">.env</span> as{' '}
                    <span className="font-mono font-semibold">{key}</span>
                  </>
                )}
                {reason(id)}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {request.status === 'cancelled' && request.reason ? <p className="mt-2">Reason: {request.reason}</p> : null}
      {canOverride && !overriding ? (
        <div className="mt-3">
          <Button
            onClick={() => setOverriding(true)}
            aria-label={`Override the supervisor's answer for feature #${request.featureId}`}
          >
            Override…
          </Button>
        </div>
      ) : null}
      {canOverride && overriding ? (
        <div className="mt-3 border-t border-line pt-3">
          <p className="mb-3 text-xs text-muted">
            Your answer replaces the supervisor’s: real secrets replace the placeholders in .env, and the feature goes
            back to Pending, first in line, to be redone with it.
          </p>
          <HumanInputForm project={project} request={request} override={{ onClose: () => setOverriding(false) }} />
        </div>
      ) : null}
    </li>
  );
}

/** The project's inbox: what agents asked a person, with a form per open request, and the history. */
export function InboxPage() {
  const { name } = useProject();
  const { hash } = useLocation();
  const open = useOpenRequests(name);
  const all = useQuery({ queryKey: keys.humanInput(name, 'all'), queryFn: () => endpoints.humanInput(name, 'all') });
  const openDisputes = useOpenDisputes(name);
  const allDisputes = useQuery({
    queryKey: keys.disputes(name, 'all'),
    queryFn: () => endpoints.disputes(name, 'all'),
  });
  const [onlySupervisor, setOnlySupervisor] = useState(false);
  // A dispute's request is shown as the dispute (its checks side by side), in the open list and in its own history.
  const closed = (all.data?.requests ?? []).filter((r) => r.status !== 'open' && r.disputeId === null);
  const supervisorCount = closed.filter((r) => r.answeredBy === 'supervisor').length;
  // The supervisor's answers, with the human overrides that replaced some of them.
  const shownClosed = onlySupervisor
    ? closed.filter((r) => r.answeredBy === 'supervisor' || r.overrides !== null)
    : closed;
  const disputeById = new Map((openDisputes.data?.disputes ?? []).map((d) => [d.id, d]));
  const openRequests = open.data?.requests ?? [];
  const openRequestIds = new Set(openRequests.map((r) => r.id));
  // Disputes whose request is not open (none should be): shown too, so nothing waits unseen.
  const loneDisputes = (openDisputes.data?.disputes ?? []).filter(
    (d) => d.requestId === null || !openRequestIds.has(d.requestId),
  );
  const decided = (allDisputes.data?.disputes ?? []).filter((d) => d.status !== 'open');
  const openCount = inboxCount(openRequests, openDisputes.data?.disputes ?? []).total;

  // A link from a board card (#request-for-<id>) or between an override and the answer it
  // replaces (#request-<id>): bring that request into view and focus it.
  const loaded = open.data !== undefined && openDisputes.data !== undefined;
  const historyLoaded = all.data !== undefined;
  useEffect(() => {
    if (!loaded || !hash) return;
    const el = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!el) return;
    el.scrollIntoView?.({ block: 'start' });
    el.focus({ preventScroll: true });
  }, [loaded, historyLoaded, hash]);

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-8">
      <section aria-labelledby="inbox-open">
        <h2 id="inbox-open" className="mb-1 text-lg font-semibold">
          Waiting for you {open.data ? `(${openCount})` : ''}
        </h2>
        <p className="mb-4 text-sm text-muted">
          Agents ask here for what only a person can give: keys, account ids, choices the spec leaves open, and a
          decision when they believe a frozen acceptance check is wrong. Answering puts the feature back in Pending,
          first in line.
        </p>
        {open.error ? (
          <p role="alert" className="text-sm text-st-failed">
            The inbox cannot be loaded: {open.error.message}
          </p>
        ) : openDisputes.error ? (
          <p role="alert" className="text-sm text-st-failed">
            The disputes cannot be loaded: {openDisputes.error.message}
          </p>
        ) : !open.data || !openDisputes.data ? (
          <p className="text-sm text-muted">Loading…</p>
        ) : openCount === 0 ? (
          <p
            data-testid="inbox-empty"
            className="rounded-[var(--radius-card)] border border-dashed border-line p-6 text-center text-sm text-muted"
          >
            No agent is waiting for an answer.
          </p>
        ) : (
          <div className="flex flex-col gap-4">
            {openRequests.map((r) => {
              if (r.disputeId === null) return <OpenRequest key={r.id} project={name} request={r} />;
              const d = disputeById.get(r.disputeId);
              return d ? <OpenDispute key={r.id} project={name} dispute={d} /> : null;
            })}
            {loneDisputes.map((d) => (
              <OpenDispute key={d.id} project={name} dispute={d} />
            ))}
          </div>
        )}
      </section>
      <section aria-labelledby="inbox-closed">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="inbox-closed" className="text-lg font-semibold">
            Answered and cancelled
          </h2>
          {supervisorCount > 0 ? (
            <div role="group" aria-label="Which answers to show" className="flex gap-1 text-sm">
              <Button
                variant={onlySupervisor ? 'ghost' : 'secondary'}
                aria-pressed={!onlySupervisor}
                onClick={() => setOnlySupervisor(false)}
              >
                All ({closed.length})
              </Button>
              <Button
                variant={onlySupervisor ? 'secondary' : 'ghost'}
                aria-pressed={onlySupervisor}
                onClick={() => setOnlySupervisor(true)}
              >
                Supervisor answers ({supervisorCount})
              </Button>
            </div>
          ) : null}
        </div>
        {all.error ? (
          <p role="alert" className="text-sm text-st-failed">
            The history cannot be loaded: {all.error.message}
          </p>
        ) : shownClosed.length === 0 ? (
          <p className="text-sm text-muted">{all.data ? 'Nothing answered yet.' : 'Loading…'}</p>
        ) : (
          <ul className="flex flex-col gap-2" data-testid="inbox-history">
            {shownClosed.map((r) => (
              <ClosedRequest key={r.id} project={name} request={r} />
            ))}
          </ul>
        )}
      </section>
      {decided.length > 0 ? (
        <section aria-labelledby="inbox-disputes">
          <h2 id="inbox-disputes" className="mb-1 text-lg font-semibold">
            Disputed checks, decided ({decided.length})
          </h2>
          <p className="mb-3 text-sm text-muted">
            When an agent believed a frozen check was wrong: what it proposed, and what was decided.
          </p>
          <ul className="flex flex-col gap-2" data-testid="dispute-history">
            {decided.map((d) => (
              <DecidedDispute key={d.id} dispute={d} />
            ))}
          </ul>
        </section>
      ) : allDisputes.error ? (
        <p role="alert" className="text-sm text-st-failed">
          The disputes' history cannot be loaded: {allDisputes.error.message}
        </p>
      ) : null}
    </div>
  );
}
