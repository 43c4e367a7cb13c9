import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { Dialog } from '../../shared/ui/Dialog';
import { DismissWithReason } from '../../shared/ui/DismissWithReason';
import { AGENT_LABEL, findingLocation, seenText, SEVERITY_LABEL } from './checkpoint-view';
import { FindingStatusBadge, SeverityChip } from '../../shared/ui/chips';
import { featureLink, useOpenFinding } from './FindingList';

const when = (ms: number) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5 sm:flex-row sm:gap-3">
      <dt className="w-32 shrink-0 text-xs font-medium text-muted">{label}</dt>
      <dd className="min-w-0 break-words text-sm">{children}</dd>
    </div>
  );
}

function FindingBody({ project, id }: { project: string; id: string }) {
  const q = useQuery({ queryKey: keys.finding(project, id), queryFn: () => endpoints.finding(project, id) });
  if (q.error) return <p role="alert">{errorMessage(q.error)}</p>;
  if (!q.data)
    return (
      <p className="text-sm text-muted" role="status">
        Loading the finding…
      </p>
    );
  const { finding: f, sightings } = q.data;
  const where = findingLocation(f);
  const cpLink = (n: number) => `/projects/${encodeURIComponent(project)}/checkpoints/${n}?finding=${f.id}`;
  return (
    <div className="flex flex-col gap-4" data-testid="finding-detail">
      <div className="flex flex-wrap items-center gap-2">
        <SeverityChip severity={f.severity} />
        <FindingStatusBadge status={f.status} />
        <span className="text-xs text-muted">{seenText(f)}</span>
      </div>
      {f.status === 'dismissed' ? (
        <p className="rounded-xl border border-line bg-sunken px-3 py-2 text-sm" data-testid="dismissed-reason">
          <span className="font-semibold">Dismissed:</span> {f.dismissedReason}
        </p>
      ) : null}
      <p className="whitespace-pre-wrap text-sm">{f.detail}</p>
      <dl className="flex flex-col gap-1.5">
        <Row label="Reviewer">
          {AGENT_LABEL[f.agent]} {f.source === 'tool' ? '(from the project’s tools)' : ''}
        </Row>
        <Row label="Category">{f.category}</Row>
        {where ? (
          <Row label="Where">
            <code className="break-all font-mono">{where}</code>
          </Row>
        ) : null}
        {f.resolvedIn !== null ? (
          <Row label="Resolved">
            <Link to={cpLink(f.resolvedIn)} className="text-accent underline">
              by checkpoint {f.resolvedIn}
            </Link>
          </Row>
        ) : null}
        <Row label="Fix feature">
          {f.fixFeatureId === null ? (
            <span className="text-muted">
              none
              {f.severity === 'critical' || f.severity === 'major' ? '' : ' (only critical and major findings get one)'}
            </span>
          ) : (
            <Link to={featureLink(project, f.fixFeatureId)} className="font-medium text-accent underline">
              Feature #{f.fixFeatureId} on the board
            </Link>
          )}
        </Row>
      </dl>
      {f.evidence ? (
        <section>
          <h3 className="text-sm font-semibold">Evidence</h3>
          <pre className="mt-1 overflow-x-auto whitespace-pre-wrap rounded-lg bg-sunken p-2 font-mono text-xs">
            {f.evidence}
          </pre>
        </section>
      ) : null}
      {f.suggestedFix ? (
        <section>
          <h3 className="text-sm font-semibold">Suggested fix</h3>
          <p className="mt-1 whitespace-pre-wrap text-sm">{f.suggestedFix}</p>
        </section>
      ) : null}
      <section>
        <h3 className="text-sm font-semibold">History</h3>
        <ol aria-label="History" className="mt-1 flex flex-col gap-1">
          {sightings.map((s) => (
            <li key={s.checkpoint} className="flex flex-wrap items-center gap-2 text-sm">
              <Link to={cpLink(s.checkpoint)} className="font-medium text-accent underline">
                Checkpoint {s.checkpoint}
              </Link>
              <span>{SEVERITY_LABEL[s.severity]}</span>
              <span className="text-xs text-muted">{when(s.at)}</span>
            </li>
          ))}
          {f.resolvedIn !== null ? (
            <li className="text-sm">
              Checkpoint {f.resolvedIn}: <span className="text-st-passing">not seen again, resolved</span>
            </li>
          ) : null}
        </ol>
      </section>
      {f.status === 'dismissed' ? null : (
        <DismissWithReason
          key={f.id}
          dismiss={(reason) => endpoints.dismissFinding(project, f.id, reason)}
          done="Finding dismissed"
          refresh={keys.checkpointsAll(project)}
          rows={3}
        />
      )}
    </div>
  );
}

/** The finding in `?finding=` with its history and the dismiss form. */
export function FindingDialog({ project }: { project: string }) {
  const { openId, close } = useOpenFinding();
  const title = useQuery({
    queryKey: keys.finding(project, openId ?? ''),
    queryFn: () => endpoints.finding(project, openId ?? ''),
    enabled: openId !== null,
  }).data?.finding.title;
  return (
    <Dialog open={openId !== null} onClose={close} title={title ?? 'Finding'} side>
      {openId ? <FindingBody project={project} id={openId} /> : null}
    </Dialog>
  );
}
