import type { FindingSeverity, FindingStatus } from '@shared/checkpoints';

/**
 * Labels and tones of findings (checkpoints' and design reviews' share severities and statuses), and small helpers
 * both pages use.
 */

export const SEVERITY_LABEL: Record<FindingSeverity, string> = {
  critical: 'Critical',
  major: 'Major',
  minor: 'Minor',
  info: 'Info',
};

/** Text on tinted background per severity (the status tokens, so both themes and axe's contrast hold). */
export const SEVERITY_TONE: Record<FindingSeverity, string> = {
  critical: 'text-st-failed bg-st-failed-bg border-st-failed',
  major: 'text-st-input bg-st-input-bg border-st-input',
  minor: 'text-st-progress bg-st-progress-bg border-st-progress',
  info: 'text-st-pending bg-st-pending-bg border-st-pending',
};

export const FINDING_STATUS_LABEL: Record<FindingStatus, string> = {
  open: 'Open',
  fix_pending: 'Fix pending confirmation',
  resolved: 'Resolved',
  dismissed: 'Dismissed',
};

export const FINDING_STATUS_TONE: Record<FindingStatus, string> = {
  open: 'text-st-failed bg-st-failed-bg',
  fix_pending: 'text-st-input bg-st-input-bg',
  resolved: 'text-st-passing bg-st-passing-bg',
  dismissed: 'text-st-pending bg-st-pending-bg',
};

/** The seven characters people read a commit by. */
export const shortCommit = (sha: string): string => sha.slice(0, 7);

/** The board with a feature's drawer open: where a fix feature is shown. */
export const featureLink = (project: string, id: number) =>
  `/projects/${encodeURIComponent(project)}/board?feature=${id}`;
