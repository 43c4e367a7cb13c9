import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { BLOCKER_TYPE_VALUES, type FeatureDetail } from '@shared/api';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';
import { inputClass } from '../../shared/ui/Field';
import { StatusBadge } from '../../shared/ui/status';
import { formatCost, formatDuration, formatTime, formatTokens } from '../../shared/ui/format';
import { useToast } from '../../shared/ui/toast';
import { useProject } from '../../shared/project-context';
import { FeatureFormDialog } from './FeatureFormDialog';
import { TranscriptDialog } from './TranscriptDialog';
import { cardVerification } from './verification-view';
import { retryText, sessionOutcome, skipClassLabel } from './failure-view';
import { AcceptanceChecks, AgentEvidence, Verifications } from './Verifications';

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="border-t border-line py-4 first:border-0 first:pt-0">
      <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted uppercase">{title}</h3>
      {children}
    </section>
  );
}

function Dependencies({ feature }: { feature: FeatureDetail }) {
  const { name } = useProject();
  const qc = useQueryClient();
  const [dep, setDep] = useState('');
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: ({ op, id }: { op: 'add' | 'remove'; id: number }) =>
      op === 'add' ? endpoints.addDependency(name, feature.id, id) : endpoints.removeDependency(name, feature.id, id),
    onSuccess: async () => {
      setError(null);
      setDep('');
      await qc.invalidateQueries({ queryKey: ['project', name] });
    },
    onError: (err) => setError(err.message),
  });
  const blocked = new Set(feature.blockedBy);
  return (
    <div className="flex flex-col gap-2">
      {feature.dependencies.length === 0 ? <p className="text-sm text-muted">None — it can start any time.</p> : null}
      <ul className="flex flex-wrap gap-2">
        {feature.dependencies.map((d) => (
          <li
            key={d}
            className={`flex items-center gap-1 rounded-full border px-2 py-0.5 text-sm ${blocked.has(d) ? 'border-st-input text-st-input' : 'border-st-passing text-st-passing'}`}
          >
            #{d} {blocked.has(d) ? '(not passing)' : '✓'}
            <button
              type="button"
              aria-label={`Remove dependency #${d}`}
              className="ml-1 text-muted hover:text-ink"
              onClick={() => change.mutate({ op: 'remove', id: d })}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const id = Number(dep);
          if (!Number.isSafeInteger(id) || id < 1)
            return setError('enter the number of the feature it depends on, e.g. 3');
          change.mutate({ op: 'add', id });
        }}
      >
        <label className="flex flex-col gap-1 text-sm">
          <span>Depends on feature #</span>
          <input
            className={`${inputClass} w-28`}
            inputMode="numeric"
            value={dep}
            onChange={(e) => setDep(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'dep-error' : undefined}
          />
        </label>
        <Button type="submit" disabled={change.isPending}>
          Add dependency
        </Button>
      </form>
      {error ? (
        <p id="dep-error" role="alert" className="text-sm text-st-failed">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Next to the status: whether the runner's checks back it ("verified") or nothing does ("not verified"). */
function HeaderVerification({ feature }: { feature: FeatureDetail }) {
  const v = cardVerification(feature);
  if (v?.kind === 'verified')
    return (
      <span className="rounded-full bg-st-passing-bg px-2 py-0.5 text-xs font-semibold text-st-passing">
        ✓ verified · {v.checks} {v.checks === 1 ? 'check' : 'checks'}
      </span>
    );
  if (v?.kind === 'not_verified')
    return (
      <span className="rounded-full border border-line px-2 py-0.5 text-xs font-semibold text-muted" title={v.why}>
        not verified
      </span>
    );
  return null;
}

/** A session's outcome in words (failed ones in the failure colour), with its error (why) under it. */
function SessionOutcome({ status, outcome, error }: { status: string; outcome: string | null; error: string | null }) {
  const view = sessionOutcome({ status, outcome });
  return (
    <span className="flex flex-col">
      <span
        className={
          view.tone === 'failed' ? 'font-semibold text-st-failed' : view.tone === 'ok' ? 'text-st-passing' : undefined
        }
      >
        {view.label}
      </span>
      {error ? (
        <span className="line-clamp-2 max-w-64 text-muted" title={error}>
          {error}
        </span>
      ) : null}
    </span>
  );
}

/** Everything about one feature, opened from a card, the graph or a deep link (?feature=<id>). */
export function FeatureDrawer({ featureId, onClose }: { featureId: number | null; onClose: () => void }) {
  const { name } = useProject();
  const qc = useQueryClient();
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const [transcript, setTranscript] = useState<string | null>(null);
  const [skipAs, setSkipAs] = useState<(typeof BLOCKER_TYPE_VALUES)[number] | ''>('');
  const detail = useQuery({
    queryKey: keys.feature(name, featureId ?? 0),
    queryFn: () => endpoints.feature(name, featureId!),
    enabled: featureId !== null,
  });
  const act = useMutation({
    mutationFn: (op: 'retry' | 'skip' | 'reopen' | 'delete'): Promise<unknown> =>
      op === 'retry'
        ? endpoints.retryFeature(name, featureId!)
        : op === 'skip'
          ? endpoints.skipFeature(name, featureId!, undefined, skipAs === '' ? undefined : skipAs)
          : op === 'reopen'
            ? endpoints.reopenFeature(name, featureId!)
            : endpoints.deleteFeature(name, featureId!),
    onSuccess: async (_r, op) => {
      toast(op === 'delete' ? `Deleted #${featureId}` : `Done: ${op}`, 'success');
      await qc.invalidateQueries({ queryKey: ['project', name] });
      if (op === 'delete') onClose();
    },
    onError: (err) => toast(err.message, 'error'),
  });
  if (featureId === null) return null;
  const f = detail.data;
  return (
    <>
      <Dialog
        open
        side
        onClose={onClose}
        title={
          f ? (
            <span>
              #{f.id} {f.name}
            </span>
          ) : (
            `Feature #${featureId}`
          )
        }
      >
        {detail.error ? (
          <p role="alert" className="text-st-failed">
            {detail.error.message}
          </p>
        ) : null}
        {!f ? (
          detail.isLoading ? (
            <p className="text-muted">Loading…</p>
          ) : null
        ) : (
          <div data-testid="feature-drawer">
            <div className="mb-4 flex flex-wrap items-center gap-2">
              <StatusBadge status={f.status} />
              <HeaderVerification feature={f} />
              <span className="rounded bg-sunken px-1.5 py-0.5 text-xs">{f.category}</span>
              <span className="text-xs text-muted">priority {f.priority}</span>
              <span className="text-xs text-muted">
                attempts {f.attempts}/{f.maxAttempts}
              </span>
              <span className="text-xs text-muted">{formatCost(f.costUsd)}</span>
              {f.skipClass !== null ? (
                <span
                  data-testid="drawer-skip-class"
                  className="rounded-full border border-st-input px-2 py-0.5 text-xs font-semibold text-st-input"
                >
                  skipped · {skipClassLabel(f.skipClass)}
                </span>
              ) : null}
              {f.estimateMs > 0 && f.status !== 'passing' && f.status !== 'failed' ? (
                <span
                  className="text-xs text-muted"
                  title="Estimated from this project's finished sessions; the path runs to the end of the features that wait on this one. Claims go by priority, then the longest path."
                >
                  est. {formatDuration(f.estimateMs)} · path {formatDuration(f.pathMs)}
                </span>
              ) : null}
            </div>
            {f.failureReason !== null || f.retryAt !== null ? (
              <div
                data-testid="drawer-failure"
                role="note"
                className="mb-4 flex flex-col gap-1 rounded-lg bg-st-failed-bg p-2 text-sm break-words"
              >
                {f.failureReason !== null ? (
                  <p data-testid="drawer-failure-reason" className="font-semibold text-st-failed">
                    ✗ {f.failureReason}
                  </p>
                ) : null}
                {f.retryAt !== null ? (
                  <p data-testid="drawer-retry-at" className="text-ink">
                    Attempt {f.attempts + 1} of {f.maxAttempts}: {retryText(f.retryAt, Date.now())}
                  </p>
                ) : null}
              </div>
            ) : null}
            <div className="mb-4 flex flex-wrap gap-2">
              <Button
                onClick={() => setEditing(true)}
                disabled={f.status === 'in_progress' || f.status === 'passing'}
                title={
                  f.status === 'passing'
                    ? 'Re-open it first: a passing feature stays as it was verified'
                    : f.status === 'in_progress'
                      ? 'An agent is working on it'
                      : undefined
                }
              >
                Edit
              </Button>
              {f.status === 'failed' ? <Button onClick={() => act.mutate('retry')}>Retry</Button> : null}
              {f.status === 'pending' ? (
                <span className="flex items-center gap-1">
                  <select
                    aria-label="Why skip it (its blocker)"
                    className={`${inputClass} w-auto py-1`}
                    value={skipAs}
                    onChange={(e) => setSkipAs(e.target.value as typeof skipAs)}
                  >
                    <option value="">no reason given</option>
                    {BLOCKER_TYPE_VALUES.map((t) => (
                      <option key={t} value={t}>
                        {skipClassLabel(t)}
                      </option>
                    ))}
                  </select>
                  <Button onClick={() => act.mutate('skip')}>Skip to the back</Button>
                </span>
              ) : null}
              {f.status === 'passing' ? <Button onClick={() => act.mutate('reopen')}>Re-open</Button> : null}
              <Button
                variant="danger"
                disabled={f.status === 'in_progress'}
                onClick={() =>
                  window.confirm(`Delete #${f.id} “${f.name}”? This cannot be undone.`) && act.mutate('delete')
                }
              >
                Delete
              </Button>
            </div>
            <Section title="Description">
              <p className="text-sm whitespace-pre-wrap">
                {f.description || <span className="text-muted">No description.</span>}
              </p>
            </Section>
            <Section title="Test steps">
              {f.steps.length === 0 ? (
                <p className="text-sm text-muted">No steps.</p>
              ) : (
                <ol className="list-decimal space-y-1 pl-5 text-sm">
                  {f.steps.map((s, i) => (
                    <li key={i}>{s}</li>
                  ))}
                </ol>
              )}
            </Section>
            <Section title="Verifications">
              <Verifications project={name} feature={f} />
            </Section>
            <Section title={`Acceptance checks${f.acceptance ? ` (${f.acceptance.length})` : ''}`}>
              <AcceptanceChecks feature={f} />
            </Section>
            <Section title="Dependencies">
              <Dependencies feature={f} />
            </Section>
            {f.blockerNote ? (
              <Section title={`Blocker${f.blockerType ? ` (${f.blockerType.replace('_', ' ')})` : ''}`}>
                <p className="text-sm whitespace-pre-wrap">{f.blockerNote}</p>
                {f.status === 'needs_input' ? (
                  <Link
                    to={`/projects/${encodeURIComponent(name)}/inbox#request-for-${f.id}`}
                    className="mt-2 inline-block text-sm font-semibold text-accent underline underline-offset-2"
                  >
                    Answer in the inbox →
                  </Link>
                ) : null}
              </Section>
            ) : null}
            <Section title={`Sessions (${f.sessions.length})`}>
              {f.sessions.length === 0 ? (
                <p className="text-sm text-muted">No agent has worked on it yet.</p>
              ) : (
                // On a phone the table fits the drawer: turns and tokens only from sm up, start and duration wrap.
                <div className="overflow-x-auto" data-testid="sessions-table">
                  <table className="w-full text-left text-xs">
                    <thead className="text-muted">
                      <tr>
                        <th className="py-1 pr-2 font-medium">Started</th>
                        <th className="py-1 pr-2 font-medium">Role</th>
                        <th className="py-1 pr-2 font-medium">Outcome</th>
                        <th className="hidden py-1 pr-2 font-medium sm:table-cell">Turns</th>
                        <th className="hidden py-1 pr-2 font-medium sm:table-cell">Tokens in/out</th>
                        <th className="py-1 pr-2 font-medium">Cost</th>
                        <th className="py-1 font-medium">Transcript</th>
                      </tr>
                    </thead>
                    <tbody>
                      {f.sessions.map((s) => (
                        <tr key={s.id} className="border-t border-line">
                          <td className="py-1.5 pr-2 sm:whitespace-nowrap">
                            {formatTime(s.startedAt)}
                            {s.endedAt ? (
                              <span className="text-muted"> · {formatDuration(s.endedAt - s.startedAt)}</span>
                            ) : null}
                          </td>
                          <td className="py-1.5 pr-2">{s.role}</td>
                          <td
                            className="py-1.5 pr-2 [overflow-wrap:anywhere]"
                            data-testid="session-outcome"
                            data-outcome={s.outcome ?? ''}
                          >
                            <SessionOutcome status={s.status} outcome={s.outcome} error={s.error} />
                          </td>
                          <td className="hidden py-1.5 pr-2 sm:table-cell">{s.turns}</td>
                          <td className="hidden py-1.5 pr-2 whitespace-nowrap sm:table-cell">
                            {formatTokens(s.inputTokens)} / {formatTokens(s.outputTokens)}
                          </td>
                          <td className="py-1.5 pr-2">{formatCost(s.costUsd)}</td>
                          <td className="py-1.5">
                            {s.transcriptPath ? (
                              <button
                                type="button"
                                className="text-accent underline"
                                onClick={() => setTranscript(s.id)}
                              >
                                Open
                              </button>
                            ) : (
                              '—'
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
            <Section title="Notes">
              <p className="text-sm whitespace-pre-wrap">{f.notes || <span className="text-muted">No notes.</span>}</p>
            </Section>
            <Section title="The agent’s own words">
              <p className="mb-2 text-xs text-muted">
                What agents wrote when they marked it passing or found it broken. Their claim, not a check: the
                verifications above are what the runner saw.
              </p>
              <AgentEvidence evidence={f.evidence} />
            </Section>
          </div>
        )}
      </Dialog>
      {editing && f ? <FeatureFormDialog feature={f} onClose={() => setEditing(false)} /> : null}
      {transcript ? <TranscriptDialog sessionId={transcript} onClose={() => setTranscript(null)} /> : null}
    </>
  );
}
