import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { DesignFinding } from '@shared/design';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { Button } from '../../shared/ui/Button';
import { inputClass } from '../../shared/ui/Field';
import { useToast } from '../../shared/ui/toast';
import { FindingStatusBadge, SeverityChip } from '../../shared/ui/chips';
import { featureLink } from '../../shared/ui/findings';
import { personaLabel } from './design-view';

/** "Dismiss…": opens a reason field; the reason is required and kept with the finding. */
function DismissDesignFinding({ project, finding }: { project: string; finding: DesignFinding }) {
  const qc = useQueryClient();
  const toast = useToast();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const dismiss = useMutation({
    mutationFn: () => endpoints.dismissDesignFinding(project, finding.id, reason.trim()),
    onSuccess: async () => {
      toast('Design finding dismissed', 'success');
      setOpen(false);
      await qc.invalidateQueries({ queryKey: keys.designAll(project) });
    },
  });
  if (!open)
    return (
      <Button onClick={() => setOpen(true)} className="self-start" aria-label={`Dismiss “${finding.title}”…`}>
        Dismiss…
      </Button>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    dismiss.mutate();
  };
  const error = missing ? 'Say why this is not a problem: the reason is kept with the finding.' : null;
  return (
    <form onSubmit={submit} className="flex flex-col gap-2 rounded-xl border border-line bg-sunken p-3" noValidate>
      <label htmlFor={id} className="text-sm font-medium">
        Why is this not a problem?
      </label>
      <textarea
        id={id}
        rows={2}
        maxLength={1000}
        value={reason}
        onChange={(e) => {
          setReason(e.target.value);
          setMissing(false);
        }}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        className={inputClass}
        autoFocus
      />
      {error ? (
        <p id={`${id}-err`} role="alert" className="text-xs font-medium text-st-failed">
          {error}
        </p>
      ) : null}
      {dismiss.error ? (
        <p role="alert" className="text-xs font-medium text-st-failed">
          {errorMessage(dismiss.error)}
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button onClick={() => setOpen(false)}>Cancel</Button>
        <Button type="submit" variant="danger" disabled={dismiss.isPending}>
          {dismiss.isPending ? 'Dismissing…' : 'Dismiss finding'}
        </Button>
      </div>
    </form>
  );
}

/** Design findings as cards: severity, title, persona (or axe), category, detail, fix feature, dismiss. */
export function DesignFindingList({
  project,
  findings,
  label,
  empty,
  showPlace = false,
}: {
  project: string;
  findings: readonly DesignFinding[];
  label: string;
  empty: string | null;
  /** Say the page, viewport and theme (when the list is not under its screenshot). */
  showPlace?: boolean;
}) {
  if (findings.length === 0) return empty === null ? null : <p className="text-sm text-muted">{empty}</p>;
  return (
    <ul aria-label={label} className="flex flex-col gap-2">
      {findings.map((f) => (
        <li
          key={f.id}
          data-testid={`design-finding-${f.id}`}
          className="flex flex-col gap-1 rounded-[var(--radius-card)] border border-line bg-panel px-3 py-2"
        >
          <div className="flex flex-wrap items-center gap-2">
            <SeverityChip severity={f.severity} />
            <span className="min-w-0 text-sm font-semibold">{f.title}</span>
            <span className="ml-auto">
              <FindingStatusBadge status={f.status} />
            </span>
          </div>
          <p className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-muted">
            <span>{f.persona === null ? 'axe-core' : personaLabel(f.persona)}</span>
            <span>{f.category}</span>
            {showPlace ? (
              <span className="break-all font-mono text-ink">
                {f.page} · {f.viewport} · {f.theme}
              </span>
            ) : null}
            <span>
              seen in {f.seenCount} {f.seenCount === 1 ? 'iteration' : 'iterations'} (first #{f.firstIteration})
            </span>
            {f.resolvedIn !== null ? <span>resolved by iteration {f.resolvedIn}</span> : null}
            {f.fixFeatureId !== null ? (
              <Link to={featureLink(project, f.fixFeatureId)} className="font-medium text-accent underline">
                Fix feature #{f.fixFeatureId}
              </Link>
            ) : null}
          </p>
          <p className="whitespace-pre-wrap text-sm">{f.detail}</p>
          {f.suggestedFix ? (
            <p className="text-sm">
              <span className="font-medium">Suggested fix:</span> {f.suggestedFix}
            </p>
          ) : null}
          {f.status === 'dismissed' ? (
            <p className="text-xs text-muted" data-testid="dismissed-reason">
              Dismissed: {f.dismissedReason}
            </p>
          ) : f.status === 'open' || f.status === 'fix_pending' ? (
            <DismissDesignFinding key={f.id} project={project} finding={f} />
          ) : null}
        </li>
      ))}
    </ul>
  );
}
