import { Link } from 'react-router';
import type { DesignFinding } from '@shared/design';
import { endpoints, keys } from '../../shared/api/endpoints';
import { DismissWithReason } from '../../shared/ui/DismissWithReason';
import { FindingStatusBadge, SeverityChip } from '../../shared/ui/chips';
import { featureLink } from '../../shared/ui/findings';
import { personaLabel } from './design-view';

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
            <DismissWithReason
              key={f.id}
              dismiss={(reason) => endpoints.dismissDesignFinding(project, f.id, reason)}
              done="Design finding dismissed"
              refresh={keys.designAll(project)}
              rows={2}
              buttonLabel={`Dismiss “${f.title}”…`}
            />
          ) : null}
        </li>
      ))}
    </ul>
  );
}
