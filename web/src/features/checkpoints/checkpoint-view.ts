import {
  CheckpointAgentSchema,
  FindingSeveritySchema,
  FindingStatusSchema,
  type Checkpoint,
  type CheckpointAgent,
  type Finding,
  type FindingsQuery,
  type ToolFact,
} from '@shared/checkpoints';

/** Pure helpers of the Checkpoints page: labels, tones, the filters in the URL. */

// Severity and status labels are shared with the Design page (web/src/shared/ui/findings.ts).
export {
  FINDING_STATUS_LABEL,
  FINDING_STATUS_TONE,
  SEVERITY_LABEL,
  SEVERITY_TONE,
  shortCommit,
} from '../../shared/ui/findings';

export const AGENT_LABEL: Record<CheckpointAgent, string> = {
  code: 'Code',
  security: 'Security',
  performance: 'Performance',
};

export const TRIGGER_LABEL: Record<Checkpoint['trigger'], string> = {
  interval: 'Every N features',
  end_of_run: 'End of run',
  manual: 'On demand',
};

export const CHECKPOINT_STATUS_TONE: Record<Checkpoint['status'], string> = {
  running: 'text-st-progress bg-st-progress-bg',
  finished: 'text-st-passing bg-st-passing-bg',
  failed: 'text-st-failed bg-st-failed-bg',
  aborted: 'text-st-pending bg-st-pending-bg',
};

export const FACT_STATUS_TONE: Record<ToolFact['status'], string> = {
  passed: 'text-st-passing bg-st-passing-bg',
  failed: 'text-st-failed bg-st-failed-bg',
  error: 'text-st-input bg-st-input-bg',
  skipped: 'text-st-pending bg-st-pending-bg',
};

export const REVIEW_STATUS_TONE: Record<Checkpoint['reviews'][number]['status'], string> = {
  running: 'text-st-progress bg-st-progress-bg',
  finished: 'text-st-passing bg-st-passing-bg',
  incomplete: 'text-st-input bg-st-input-bg',
  failed: 'text-st-failed bg-st-failed-bg',
};

/** `src/a.ts:42`, `src/a.ts`, or null when the finding names no file. */
export function findingLocation(f: Pick<Finding, 'file' | 'line'>): string | null {
  if (f.file === undefined) return null;
  return f.line === undefined ? f.file : `${f.file}:${f.line}`;
}

/** "Seen 2× (checkpoints 1–3)" / "Seen once (checkpoint 2)". */
export function seenText(f: Pick<Finding, 'seenCount' | 'firstCheckpoint' | 'lastCheckpoint'>): string {
  const times = f.seenCount === 1 ? 'once' : `${f.seenCount}×`;
  const where =
    f.firstCheckpoint === f.lastCheckpoint
      ? `checkpoint ${f.firstCheckpoint}`
      : `checkpoints ${f.firstCheckpoint}–${f.lastCheckpoint}`;
  return `Seen ${times} (${where})`;
}

/** A checkpoint's number from the path (`/checkpoints/:n`), or null when absent or not a positive whole number. */
export function checkpointNumber(raw: string | undefined): number | null {
  if (raw === undefined || !/^[1-9]\d{0,8}$/.test(raw)) return null;
  return Number(raw);
}

/** The findings filters in the URL (`?severity=&agent=&status=`); a value the API would refuse is ignored. */
export function filtersFrom(params: URLSearchParams): FindingsQuery {
  const pick = <T>(parsed: { success: true; data: T } | { success: false }): T | undefined =>
    parsed.success ? parsed.data : undefined;
  const severity = pick(FindingSeveritySchema.safeParse(params.get('severity')));
  const agent = pick(CheckpointAgentSchema.safeParse(params.get('agent')));
  const status = pick(FindingStatusSchema.safeParse(params.get('status')));
  return {
    ...(severity ? { severity } : {}),
    ...(agent ? { agent } : {}),
    ...(status ? { status } : {}),
  };
}

/** How long a checkpoint took, or null while it runs. */
export function checkpointDurationMs(c: Pick<Checkpoint, 'startedAt' | 'endedAt'>): number | null {
  return c.endedAt === null ? null : Math.max(0, c.endedAt - c.startedAt);
}
