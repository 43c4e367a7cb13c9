import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { RejectDisputeRequestSchema, type AcceptanceCheck, type Dispute } from '@shared/acceptance';
import { endpoints, keys } from '../../shared/api/endpoints';
import { CheckView } from '../../shared/checks/CheckView';
import { checkText, diffChecks, shortHash, type CheckDiffRow } from '../../shared/checks/check-text';
import { Button } from '../../shared/ui/Button';
import { inputClass } from '../../shared/ui/Field';
import { useToast } from '../../shared/ui/toast';

const when = (ms: number) => new Date(ms).toLocaleString();

/** The anchor of a feature's open dispute (like a request's: the board's "Needs input" cards link here). */
export const disputeAnchor = (featureId: number) => `request-for-${featureId}`;

const CHANGE_TEXT: Record<CheckDiffRow['change'], string> = {
  same: 'unchanged',
  changed: 'changed',
  removed: 'removed',
  added: 'added',
};
const CHANGE_TONE: Record<CheckDiffRow['change'], string> = {
  same: 'border-line text-muted',
  changed: 'border-st-input text-st-input',
  removed: 'border-st-failed text-st-failed',
  added: 'border-st-passing text-st-passing',
};

/** The lines of `check` its counterpart does not have (what a change changed). */
const linesNotIn = (check: AcceptanceCheck, other: AcceptanceCheck | undefined): Set<string> => {
  const theirs = new Set(other ? checkText(other).lines : []);
  return new Set(checkText(check).lines.filter((l) => !theirs.has(l)));
};

function Cell({ side, children }: { side: 'now' | 'proposed'; children: React.ReactNode }) {
  return (
    <div className="min-w-0 rounded-lg border border-line bg-panel p-2">
      <p className="mb-1 text-[11px] font-semibold tracking-wide text-muted uppercase sm:hidden">
        {side === 'now' ? 'Frozen now' : 'Proposed'}
      </p>
      {children}
    </div>
  );
}

/** The frozen checks and the proposed ones side by side, row by row, with what changed marked. */
export function DisputeDiff({ dispute }: { dispute: Dispute }) {
  const before = dispute.previous ?? [];
  const after = dispute.proposed;
  const rows = diffChecks(before, after);
  const counts = rows.reduce<Record<string, number>>((n, r) => ({ ...n, [r.change]: (n[r.change] ?? 0) + 1 }), {});
  const summary = (['changed', 'removed', 'added', 'same'] as const)
    .filter((c) => counts[c])
    .map((c) => `${counts[c]} ${CHANGE_TEXT[c]}`)
    .join(', ');
  return (
    <div data-testid="dispute-diff" className="flex flex-col gap-2">
      <p className="text-xs text-muted">
        {before.length} frozen → {after.length} proposed: {summary || 'no checks'}
      </p>
      <div className="hidden grid-cols-2 gap-2 text-xs font-semibold tracking-wide text-muted uppercase sm:grid">
        <p>
          Frozen now{' '}
          {dispute.hashBefore ? (
            <code className="font-mono normal-case" title={dispute.hashBefore}>
              {shortHash(dispute.hashBefore)}
            </code>
          ) : (
            '(none)'
          )}
        </p>
        <p>Proposed by the agent</p>
      </div>
      <ol className="flex flex-col gap-2">
        {rows.map((r, i) => {
          const old = 'before' in r ? before[r.before] : undefined;
          const neu = 'after' in r ? after[r.after] : undefined;
          return (
            <li key={i} data-change={r.change} className="flex flex-col gap-1">
              <span
                className={`self-start rounded-full border px-2 py-px text-[11px] font-semibold ${CHANGE_TONE[r.change]}`}
              >
                {CHANGE_TEXT[r.change]}
              </span>
              <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
                <Cell side="now">
                  {old ? (
                    <CheckView
                      check={old}
                      number={'before' in r ? r.before + 1 : undefined}
                      {...(r.change === 'same' ? {} : { mark: { lines: linesNotIn(old, neu), sign: '−' as const } })}
                    />
                  ) : (
                    <p className="text-xs text-muted italic">(no check here now)</p>
                  )}
                </Cell>
                <Cell side="proposed">
                  {neu ? (
                    <CheckView
                      check={neu}
                      number={'after' in r ? r.after + 1 : undefined}
                      {...(r.change === 'same' ? {} : { mark: { lines: linesNotIn(neu, old), sign: '+' as const } })}
                    />
                  ) : (
                    <p className="text-xs text-muted italic">(dropped)</p>
                  )}
                </Cell>
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** An open dispute: the agent's reason, the diff, and the decision (accept, or reject with a reason). */
export function OpenDispute({ project, dispute }: { project: string; dispute: Dispute }) {
  const titleId = useId();
  const reasonId = useId();
  const errorId = useId();
  const qc = useQueryClient();
  const toast = useToast();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const decide = useMutation({
    mutationFn: (accept: boolean) =>
      accept
        ? endpoints.acceptDispute(project, dispute.id, reason.trim() || undefined)
        : endpoints.rejectDispute(project, dispute.id, reason.trim()),
    onSuccess: async (r, accept) => {
      toast(
        accept
          ? `Accepted: #${r.feature.id} now has the proposed checks and is back in Pending`
          : `Rejected: #${r.feature.id} keeps its checks and is back in Pending`,
        'success',
      );
      await Promise.all([
        qc.invalidateQueries({ queryKey: keys.disputesAll(project) }),
        qc.invalidateQueries({ queryKey: keys.humanInputAll(project) }),
        qc.invalidateQueries({ queryKey: keys.board(project) }),
        qc.invalidateQueries({ queryKey: keys.feature(project, r.feature.id) }),
      ]);
    },
    onError: (err) => setError(err.message),
  });
  const reject = () => {
    const parsed = RejectDisputeRequestSchema.safeParse({ reason });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? 'give a reason');
    setError(null);
    decide.mutate(false);
  };
  return (
    <article
      id={disputeAnchor(dispute.featureId)}
      tabIndex={-1}
      aria-labelledby={titleId}
      data-dispute-id={dispute.id}
      className="scroll-mt-4 rounded-[var(--radius-card)] border border-st-input bg-panel p-4 shadow-card outline-none focus-visible:ring-2 focus-visible:ring-focus"
    >
      <header className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={titleId} className="text-base font-semibold">
          <span className="mr-1 font-mono text-sm text-muted">#{dispute.featureId}</span>
          {dispute.featureName ?? `Feature #${dispute.featureId}`}
          <span className="ml-2 rounded-full bg-st-input-bg px-2 py-0.5 align-middle text-xs font-semibold text-st-input">
            disputes its checks
          </span>
        </h3>
        <p className="text-xs text-muted">
          {when(dispute.createdAt)} · <span className="font-mono">{dispute.id}</span>
        </p>
      </header>
      <blockquote className="mb-4 border-l-4 border-st-input bg-sunken/60 py-1.5 pr-2 pl-3 text-sm">
        <p className="mb-1 text-xs font-semibold text-muted">
          Agent says{dispute.sessionId ? ` (session ${dispute.sessionId})` : ''}:
        </p>
        <p className="whitespace-pre-wrap break-words italic">{dispute.reason}</p>
      </blockquote>
      <DisputeDiff dispute={dispute} />
      <form
        aria-label={`Decide the dispute of feature #${dispute.featureId}`}
        className="mt-4 flex flex-col gap-2 border-t border-line pt-3"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          decide.mutate(true);
        }}
      >
        <label htmlFor={reasonId} className="text-sm font-medium">
          Reason <span className="font-normal text-muted">(needed to reject; the coding agent reads it)</span>
        </label>
        <textarea
          id={reasonId}
          className={`${inputClass} min-h-16`}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        />
        {error ? (
          <p id={errorId} role="alert" className="text-sm text-st-failed">
            {error}
          </p>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant="primary" disabled={decide.isPending}>
            Accept the proposed checks
          </Button>
          <Button type="button" disabled={decide.isPending} onClick={reject}>
            Reject: keep the frozen checks
          </Button>
        </div>
      </form>
    </article>
  );
}

/** A decided dispute in the history: who decided what and why, and the two lists (folded). */
export function DecidedDispute({ dispute }: { dispute: Dispute }) {
  const accepted = dispute.status === 'accepted';
  return (
    <li data-dispute-id={dispute.id} className="rounded-[var(--radius-card)] border border-line bg-panel p-3 text-sm">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <span className="font-medium">
          <span className="mr-1 font-mono text-xs text-muted">#{dispute.featureId}</span>
          {dispute.featureName ?? `Feature #${dispute.featureId}`}
        </span>
        <span
          data-testid="dispute-decision"
          className={`rounded-full px-2 py-0.5 text-xs font-semibold ${accepted ? 'bg-st-passing-bg text-st-passing' : 'bg-st-pending-bg text-st-pending'}`}
        >
          {accepted ? 'accepted' : 'rejected'} by {dispute.decidedBy ?? 'a human'}
        </span>
        <span className="text-xs text-muted">{dispute.decidedAt ? when(dispute.decidedAt) : ''}</span>
        <span className="font-mono text-xs text-muted">{dispute.id}</span>
      </div>
      <p className="mt-1">
        <span className="text-muted">Agent said:</span> <span className="italic">{dispute.reason}</span>
      </p>
      {dispute.decisionReason ? (
        <p className="mt-1">
          <span className="text-muted">Decision:</span> {dispute.decisionReason}
        </p>
      ) : null}
      <p className="mt-1 text-xs text-muted">
        Hash{' '}
        <code className="font-mono" title={dispute.hashBefore ?? undefined}>
          {dispute.hashBefore ? shortHash(dispute.hashBefore) : 'none'}
        </code>{' '}
        →{' '}
        <code className="font-mono" title={dispute.hashAfter ?? undefined}>
          {dispute.hashAfter ? shortHash(dispute.hashAfter) : 'none'}
        </code>
      </p>
      <details className="mt-2">
        <summary className="cursor-pointer text-xs text-accent underline underline-offset-2">
          The checks, frozen and proposed
        </summary>
        <div className="mt-2">
          <DisputeDiff dispute={dispute} />
        </div>
      </details>
    </li>
  );
}
