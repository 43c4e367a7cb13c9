import type { FeatureDTO } from '@shared/api';

export type FeatureStatus = FeatureDTO['status'];

export const STATUS_LABEL: Record<FeatureStatus, string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  needs_input: 'Needs input',
  passing: 'Passing',
  failed: 'Failed',
};

/** Tailwind classes per status (text on tinted background; contrast checked by axe). */
export const STATUS_TONE: Record<FeatureStatus, string> = {
  pending: 'text-st-pending bg-st-pending-bg',
  in_progress: 'text-st-progress bg-st-progress-bg',
  needs_input: 'text-st-input bg-st-input-bg',
  passing: 'text-st-passing bg-st-passing-bg',
  failed: 'text-st-failed bg-st-failed-bg',
};

/** Solid colours for graph nodes and dots (CSS variables, so they follow the theme). */
export const STATUS_COLOR: Record<FeatureStatus, string> = {
  pending: 'var(--color-st-pending)',
  in_progress: 'var(--color-st-progress)',
  needs_input: 'var(--color-st-input)',
  passing: 'var(--color-st-passing)',
  failed: 'var(--color-st-failed)',
};

export function StatusBadge({ status }: { status: FeatureStatus }) {
  return (
    <span
      className={`inline-flex items-center rounded-full border border-current px-2 py-0.5 text-xs font-semibold ${STATUS_TONE[status]}`}
    >
      {STATUS_LABEL[status]}
    </span>
  );
}
