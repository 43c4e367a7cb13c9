import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { isScreenshot, type CheckResult, type Verification } from '@shared/acceptance';
import type { FeatureDetail } from '@shared/api';
import { endpoints, keys } from '../../shared/api/endpoints';
import { downloadEvidence, useEvidenceText, type EvidenceRef } from '../../shared/api/evidence';
import { CheckKind, CheckList } from '../../shared/checks/CheckView';
import { shortHash } from '../../shared/checks/check-text';
import { EvidenceImage } from '../../shared/checks/EvidenceImage';
import { Dialog } from '../../shared/ui/Dialog';
import { formatDuration } from '../../shared/ui/format';
import { useToast } from '../../shared/ui/toast';

const STATUS_TONE: Record<Verification['status'], string> = {
  passed: 'bg-st-passing-bg text-st-passing',
  failed: 'bg-st-failed-bg text-st-failed',
  error: 'bg-st-failed-bg text-st-failed',
  running: 'bg-st-progress-bg text-st-progress',
};
const STATUS_TEXT: Record<Verification['status'], string> = {
  passed: '✓ passed',
  failed: '✗ failed',
  error: '✗ could not run',
  running: 'running…',
};
const TRIGGER_TEXT: Record<Verification['trigger'], string> = {
  landing: 'at landing',
  regression: 'regression check',
  manual: 'run by hand',
};

const linkButton = 'text-accent underline underline-offset-2 hover:no-underline';

/** The feature's frozen checks, with their hash; or why it has none. */
export function AcceptanceChecks({ feature }: { feature: FeatureDetail }) {
  if (feature.acceptance === null)
    return (
      <p data-testid="not-verified" className="text-sm">
        <span className="mr-1 rounded-full border border-line px-1.5 py-0.5 text-xs font-semibold text-muted">
          not verified
        </span>
        This feature has no acceptance checks: nothing but the agent’s word says it works.
      </p>
    );
  return (
    <div className="flex flex-col gap-2" data-testid="acceptance-checks">
      <p className="text-xs text-muted">
        Frozen when planned; agents can read them but not change them. Hash{' '}
        <code className="font-mono text-ink" title={feature.acceptanceHash ?? undefined}>
          {feature.acceptanceHash ? shortHash(feature.acceptanceHash) : '—'}
        </code>
      </p>
      <CheckList checks={feature.acceptance} />
    </div>
  );
}

/** A screenshot thumbnail that opens the full image; a button, so the keyboard reaches it. */
function Screenshot({ evidence, label }: { evidence: EvidenceRef; label: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-label={`Enlarge screenshot ${label}`}
        className="group flex w-36 flex-col gap-1 rounded-lg border border-line p-1 text-left hover:border-accent focus-visible:outline-2"
      >
        <EvidenceImage evidence={evidence} alt={`Screenshot ${label}`} className="h-24 w-full rounded" zoom={2} />
        <span className="truncate font-mono text-[11px] text-muted">{evidence.file}</span>
      </button>
      {open ? (
        <Dialog open wide onClose={() => setOpen(false)} title={`Screenshot ${label}`}>
          <EvidenceImage
            evidence={evidence}
            alt={`Screenshot ${label}, full size`}
            className="w-full rounded border border-line"
          />
        </Dialog>
      ) : null}
    </>
  );
}

/** A file to save (a trace): fetched with the token on click. */
function DownloadButton({ evidence, children }: { evidence: EvidenceRef; children: React.ReactNode }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className={linkButton}
      disabled={busy}
      onClick={() => {
        setBusy(true);
        downloadEvidence(evidence)
          .catch((err: unknown) =>
            toast(`Cannot download ${evidence.file}: ${err instanceof Error ? err.message : String(err)}`, 'error'),
          )
          .finally(() => setBusy(false));
      }}
    >
      {children}
    </button>
  );
}

function CheckRow({
  check,
  own,
  evidence,
}: {
  check: CheckResult;
  own: boolean;
  evidence: (file: string) => EvidenceRef;
}) {
  const shots = check.evidence.filter(isScreenshot);
  const traces = check.evidence.filter((e) => e.endsWith('.zip'));
  const label = check.name ?? `${check.kind} check ${check.index + 1}`;
  return (
    <li data-testid="check-result" data-passed={check.passed} className="rounded-lg border border-line p-2">
      <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1 text-sm">
        <span className={`font-semibold ${check.passed ? 'text-st-passing' : 'text-st-failed'}`}>
          {check.passed ? '✓ pass' : '✗ fail'}
        </span>
        <CheckKind kind={check.kind} />
        <span className="font-medium break-words">{label}</span>
        {own ? null : <span className="text-xs text-muted">(a check of #{check.featureId}, which it depends on)</span>}
        <span className="ml-auto text-xs text-muted">
          {check.durationMs < 1000 ? `${check.durationMs} ms` : formatDuration(check.durationMs)}
        </span>
      </div>
      {check.failure ? <p className="mt-1 text-sm break-words text-st-failed">{check.failure}</p> : null}
      {check.output ? (
        <details className="mt-1 text-xs" open={!check.passed}>
          <summary className="cursor-pointer text-muted">Output</summary>
          {/* It scrolls when long (a failing test's output): focusable, so the keyboard can scroll it too. */}
          <pre
            tabIndex={0}
            role="region"
            aria-label={`Output of ${label}`}
            className="mt-1 max-h-64 overflow-auto rounded bg-sunken p-2 font-mono whitespace-pre-wrap break-words"
          >
            {check.output}
          </pre>
        </details>
      ) : null}
      {shots.length + traces.length > 0 ? (
        <div className="mt-2 flex flex-wrap items-end gap-2">
          {shots.map((s) => (
            <Screenshot key={s} evidence={evidence(s)} label={`${s} of “${label}”`} />
          ))}
          {traces.map((t) => (
            <DownloadButton key={t} evidence={evidence(t)}>
              Trace ({t})
            </DownloadButton>
          ))}
        </div>
      ) : null}
    </li>
  );
}

/** The app's log during a verification, loaded when opened. */
function AppLog({ evidence }: { evidence: EvidenceRef }) {
  const [open, setOpen] = useState(false);
  const log = useEvidenceText(evidence, open);
  return (
    <details className="text-xs" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className={`cursor-pointer ${linkButton}`}>App log</summary>
      {log.error ? (
        <p className="mt-1 text-st-failed">{log.error.message}</p>
      ) : log.data === undefined ? (
        <p className="mt-1 text-muted">Loading…</p>
      ) : (
        <pre
          data-testid="app-log"
          className="mt-1 max-h-64 overflow-auto rounded bg-sunken p-2 font-mono whitespace-pre-wrap break-words"
        >
          {log.data.length > 20_000 ? `…${log.data.slice(-20_000)}` : log.data || '(empty)'}
        </pre>
      )}
    </details>
  );
}

function VerificationItem({
  project,
  feature,
  v,
  outdated,
}: {
  project: string;
  feature: FeatureDetail;
  v: Verification;
  /** From a superseded attempt: what it shows is not the feature's latest code. */
  outdated: boolean;
}) {
  const evidence = (file: string): EvidenceRef => ({ project, featureId: feature.id, verificationId: v.id, file });
  const passed = v.checks.filter((c) => c.passed).length;
  const appStarted = v.checks.some((c) => c.kind !== 'command');
  return (
    <li
      data-testid="verification"
      data-verification-id={v.id}
      data-outdated={outdated}
      className={`flex flex-col gap-2 rounded-xl border p-3 ${outdated ? 'border-dashed border-line bg-sunken/60' : 'border-line'}`}
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        {outdated ? (
          <span
            data-testid="verification-outdated"
            title="An agent started on the feature again after this verification: its checks, output and screenshots show code that has been superseded."
            className="rounded-full border border-line bg-panel px-2 py-0.5 text-xs font-semibold text-muted"
          >
            outdated · from an earlier attempt
          </span>
        ) : null}
        <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${STATUS_TONE[v.status]}`}>
          {STATUS_TEXT[v.status]}
        </span>
        <span>{TRIGGER_TEXT[v.trigger]}</span>
        {feature.verificationId === v.id ? (
          <span className="rounded-full border border-st-passing px-2 py-0.5 text-xs font-semibold text-st-passing">
            landed
          </span>
        ) : null}
        <span className="text-xs text-muted">
          commit{' '}
          <code className="font-mono text-ink" title={v.commit}>
            {v.commit.slice(0, 7)}
          </code>
        </span>
        <span className="text-xs text-muted">{new Date(v.startedAt).toLocaleString()}</span>
        {v.endedAt ? <span className="text-xs text-muted">took {formatDuration(v.endedAt - v.startedAt)}</span> : null}
        <span className="text-xs text-muted">
          {passed}/{v.checks.length} checks passed
        </span>
      </div>
      {v.error ? (
        <p role="note" className="rounded bg-st-failed-bg p-2 text-sm break-words text-st-failed">
          {v.error}
        </p>
      ) : null}
      {v.checks.length > 0 ? (
        <ul className="flex flex-col gap-2">
          {v.checks.map((c) => (
            <CheckRow
              key={`${c.featureId}:${c.index}`}
              check={c}
              own={c.featureId === feature.id}
              evidence={evidence}
            />
          ))}
        </ul>
      ) : null}
      {v.status === 'running' ? null : (
        <div className="flex flex-wrap items-start gap-x-4 gap-y-1 text-xs">
          <DownloadButton evidence={evidence('result.json')}>result.json</DownloadButton>
          {appStarted ? <AppLog evidence={evidence('app.log')} /> : null}
          <span className="font-mono text-muted">{v.evidenceDir}</span>
        </div>
      )}
    </li>
  );
}

/** Every verification of the feature, newest first, with the evidence of each. */
export function Verifications({ project, feature }: { project: string; feature: FeatureDetail }) {
  const list = useQuery({
    queryKey: keys.verifications(project, feature.id),
    queryFn: () => endpoints.verifications(project, feature.id),
  });
  if (list.error)
    return (
      <p role="alert" className="text-sm text-st-failed">
        The verifications cannot be loaded: {list.error.message}
      </p>
    );
  if (!list.data) return <p className="text-sm text-muted">Loading…</p>;
  if (list.data.verifications.length === 0)
    return (
      <p className="text-sm text-muted">
        {feature.acceptance === null
          ? 'None: without acceptance checks there is nothing for the runner to run.'
          : 'Not verified yet: the runner runs the checks when an agent marks it passing.'}
      </p>
    );
  return (
    <ol className="flex flex-col gap-3" aria-label="Verifications, newest first">
      {list.data.verifications.map((v) => (
        <VerificationItem
          key={v.id}
          project={project}
          feature={feature}
          v={v}
          outdated={list.data.outdated.includes(v.id)}
        />
      ))}
    </ol>
  );
}

type AgentRecord = { by?: unknown; text?: unknown; commit?: unknown };

/**
 * What agents themselves wrote when they marked the feature passing (or found it regressed): their words, not a
 * check, so set apart and labelled as such.
 */
export function AgentEvidence({ evidence }: { evidence: readonly unknown[] }) {
  if (evidence.length === 0) return <p className="text-sm text-muted">Nothing recorded yet.</p>;
  return (
    <ul className="space-y-2" data-testid="agent-evidence">
      {evidence.map((e, i) => {
        const r: AgentRecord = e !== null && typeof e === 'object' ? (e as AgentRecord) : { text: e };
        const text =
          typeof r.text === 'string' ? r.text : r.text === undefined ? null : JSON.stringify(r.text, null, 2);
        return (
          <li key={i}>
            <blockquote className="border-l-4 border-line bg-sunken/60 py-1.5 pr-2 pl-3 text-sm">
              <p className="mb-1 text-xs font-semibold text-muted">
                Agent says{typeof r.by === 'string' ? ` (session ${r.by})` : ''}
                {typeof r.commit === 'string' ? (
                  <>
                    , commit <code className="font-mono">{r.commit.slice(0, 7)}</code>
                  </>
                ) : null}
                :
              </p>
              <p className="whitespace-pre-wrap break-words italic">{text ?? '(no text: it landed without words)'}</p>
            </blockquote>
          </li>
        );
      })}
    </ul>
  );
}
