import { Link, useSearchParams } from 'react-router';
import type { Finding } from '@shared/checkpoints';
import { AGENT_LABEL, findingLocation, seenText } from './checkpoint-view';
import { featureLink } from '../../shared/ui/findings';
import { FindingStatusBadge, SeverityChip } from '../../shared/ui/chips';

export { featureLink } from '../../shared/ui/findings';

/** Opens a finding (its history and the dismiss form) by putting `?finding=<id>` in the URL. */
export function useOpenFinding(): { openId: string | null; open: (id: string) => void; close: () => void } {
  const [params, setParams] = useSearchParams();
  const set = (id: string | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (id) next.set('finding', id);
      else next.delete('finding');
      return next;
    });
  return { openId: params.get('finding'), open: (id) => set(id), close: () => set(null) };
}

/** Findings as cards: severity, title (opens the finding), where, how often, status, fix feature. */
export function FindingList({
  project,
  findings,
  label,
  empty,
}: {
  project: string;
  findings: readonly Finding[];
  label: string;
  empty: string;
}) {
  const { open } = useOpenFinding();
  if (findings.length === 0) return <p className="text-sm text-muted">{empty}</p>;
  return (
    <ul aria-label={label} className="flex flex-col gap-2">
      {findings.map((f) => {
        const where = findingLocation(f);
        return (
          <li
            key={f.id}
            data-testid={`finding-${f.id}`}
            className="rounded-[var(--radius-card)] border border-line bg-panel px-3 py-2 shadow-card"
          >
            <div className="flex flex-wrap items-center gap-2">
              <SeverityChip severity={f.severity} />
              <button
                type="button"
                onClick={() => open(f.id)}
                className="min-w-0 text-left text-sm font-semibold text-ink underline-offset-2 hover:underline"
              >
                {f.title}
              </button>
              <span className="ml-auto">
                <FindingStatusBadge status={f.status} />
              </span>
            </div>
            <p className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-muted">
              <span>{AGENT_LABEL[f.agent]}</span>
              <span>{f.category}</span>
              {f.source === 'tool' ? <span>from a tool</span> : null}
              {where ? <span className="break-all font-mono text-ink">{where}</span> : null}
              <span>{seenText(f)}</span>
              {f.resolvedIn !== null ? <span>resolved by checkpoint {f.resolvedIn}</span> : null}
              {f.fixFeatureId !== null ? (
                <Link to={featureLink(project, f.fixFeatureId)} className="font-medium text-accent underline">
                  Fix feature #{f.fixFeatureId}
                </Link>
              ) : null}
            </p>
            {f.status === 'dismissed' && f.dismissedReason ? (
              <p className="mt-1 text-xs text-muted">Dismissed: {f.dismissedReason}</p>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
