import type { ReactNode } from 'react';
import { FINDING_SEVERITIES, type Finding, type FindingSeverity, type SeverityCounts } from '@shared/checkpoints';
import { FINDING_STATUS_LABEL, FINDING_STATUS_TONE, SEVERITY_LABEL, SEVERITY_TONE } from './findings';

/** A small rounded label; `tone` gives its text and background colours. */
export function Pill({ tone, children, title }: { tone: string; children: ReactNode; title?: string }) {
  return (
    <span
      title={title}
      className={`inline-flex items-center whitespace-nowrap rounded-full border border-current px-2 py-0.5 text-xs font-semibold ${tone}`}
    >
      {children}
    </span>
  );
}

export function SeverityChip({ severity, count }: { severity: FindingSeverity; count?: number }) {
  return (
    <span
      data-severity={severity}
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full border px-2 py-0.5 text-xs font-semibold ${SEVERITY_TONE[severity]}`}
    >
      {count === undefined ? SEVERITY_LABEL[severity] : `${count} ${SEVERITY_LABEL[severity].toLowerCase()}`}
    </span>
  );
}

/** The non-zero severities of a checkpoint as chips, worst first ("none" when it found nothing). */
export function SeverityCountChips({ counts }: { counts: SeverityCounts }) {
  const present = FINDING_SEVERITIES.filter((s) => counts[s] > 0);
  if (present.length === 0) return <span className="text-xs text-muted">none</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {present.map((s) => (
        <SeverityChip key={s} severity={s} count={counts[s]} />
      ))}
    </span>
  );
}

export function FindingStatusBadge({ status }: { status: Finding['status'] }) {
  return <Pill tone={FINDING_STATUS_TONE[status]}>{FINDING_STATUS_LABEL[status]}</Pill>;
}
