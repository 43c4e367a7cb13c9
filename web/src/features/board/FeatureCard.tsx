import { memo } from 'react';
import { Link, useParams } from 'react-router';
import type { FeatureDTO } from '@shared/api';
import type { AgentSlotView } from '../../shared/ws/stream-state';
import { Mascot, mascotForSlot } from '../../shared/ui/mascots';
import { EvidenceImage } from '../../shared/checks/EvidenceImage';
import { useProject } from '../../shared/project-context';
import { cardVerification, type CardVerification } from './verification-view';
import { retryText, skipClassLabel } from './failure-view';

/** The card's line about its verification: the badge, "not verified" and why, or why the last one failed. */
function VerificationLine({ project, feature, v }: { project: string; feature: FeatureDTO; v: CardVerification }) {
  if (v === null) return null;
  switch (v.kind) {
    case 'verified':
      return (
        <span className="flex items-center gap-1.5">
          <span
            data-testid="verified-badge"
            title={`The runner ran ${v.checks} acceptance ${v.checks === 1 ? 'check' : 'checks'} on commit ${v.commit.slice(0, 7)}: all passed`}
            className="inline-flex items-center gap-1 rounded-full bg-st-passing-bg px-1.5 py-0.5 font-semibold text-st-passing"
          >
            ✓ verified · {v.checks} {v.checks === 1 ? 'check' : 'checks'}
          </span>
          {v.screenshot ? (
            <EvidenceImage
              evidence={{ project, featureId: feature.id, verificationId: v.verificationId, file: v.screenshot }}
              alt={`Screenshot of #${feature.id} ${feature.name} from its verification`}
              className="h-10 w-16 rounded border border-line"
              zoom={2.5}
            />
          ) : null}
        </span>
      );
    case 'not_verified':
      return (
        <span data-testid="not-verified" className="inline-flex flex-wrap items-baseline gap-1">
          <span className="rounded-full border border-line px-1.5 py-0.5 font-semibold text-muted">not verified</span>
          <span className="line-clamp-2">{v.why}</span>
        </span>
      );
    case 'failing':
      return (
        <span data-testid="verification-failure" className="line-clamp-2 w-full text-st-failed" title={v.line}>
          ✗ {v.line}
        </span>
      );
    case 'verifying':
      return (
        <span
          data-testid="verifying"
          className="rounded-full bg-st-progress-bg px-1.5 py-0.5 font-semibold text-st-progress"
        >
          verifying…
        </span>
      );
  }
}

export interface FeatureCardProps {
  feature: FeatureDTO;
  agent: AgentSlotView | null;
  justPassed: boolean;
  onOpen: () => void;
  dragHandle?: React.ReactNode;
  dragging?: boolean;
  /**
   * Given to the card's open button, its one tab stop: the roving tabIndex and, on a draggable card, dnd-kit's
   * keyboard activator (ref, attributes, Space to pick it up). Without it (the drag overlay) the button is skipped.
   */
  focusProps?: React.ButtonHTMLAttributes<HTMLButtonElement> & { ref?: React.Ref<HTMLButtonElement> };
}

/**
 * One backlog card. The whole card opens the drawer; dragging starts from the grip. Memoised:
 * dnd-kit re-renders every sortable card several times when a drag starts, and with stable
 * props (the board memoises the grip and `onOpen`) those re-renders skip the card's body.
 */
export const FeatureCard = memo(function FeatureCard({
  feature,
  agent,
  justPassed,
  onOpen,
  dragHandle,
  dragging = false,
  focusProps = { tabIndex: -1 },
}: FeatureCardProps) {
  const blocked = feature.status === 'pending' && feature.blockedBy.length > 0;
  const verification = cardVerification(feature);
  const { name: project = '' } = useParams();
  const { name: projectName } = useProject();
  return (
    <article
      data-testid={`card-${feature.id}`}
      data-feature-id={feature.id}
      className={`group relative flex gap-2 rounded-[var(--radius-card)] border border-line bg-panel p-2.5 shadow-sm transition hover:-translate-px hover:shadow-card ${dragging ? 'opacity-40' : ''} ${justPassed ? 'animate-pop' : ''}`}
    >
      {dragHandle}
      <div className="min-w-0 flex-1">
        <button
          {...focusProps}
          type="button"
          data-card-focus={feature.id}
          onClick={onOpen}
          // The whole card is the button's target, and its focus ring goes round the whole card.
          className="block w-full text-left outline-none after:absolute after:inset-0 after:rounded-[var(--radius-card)] after:content-[''] focus-visible:after:outline-3 focus-visible:after:outline-offset-2 focus-visible:after:outline-focus"
        >
          {/* The space keeps the button's name "#3 Add a todo" rather than "#3Add a todo". */}
          <span className="font-mono text-xs text-muted">#{feature.id}</span>{' '}
          <span className="text-sm font-medium leading-snug">{feature.name}</span>
        </button>
        <div className="mt-1.5 flex flex-wrap items-center gap-1.5 text-xs text-muted">
          <span className="rounded bg-sunken px-1.5 py-0.5">{feature.category}</span>
          {blocked ? (
            <span className="text-st-input">blocked by {feature.blockedBy.map((id) => `#${id}`).join(', ')}</span>
          ) : null}
          {feature.status === 'pending' && !blocked && !feature.ready ? (
            feature.retryAt !== null ? (
              <span data-testid="retry-at" className="font-semibold text-ink">
                {retryText(feature.retryAt)}
              </span>
            ) : (
              <span>waiting (attempts or backoff)</span>
            )
          ) : null}
          {feature.skipClass !== null ? (
            <span
              data-testid="skip-class"
              data-skip-class={feature.skipClass}
              title={feature.blockerNote ?? undefined}
              className="rounded-full border border-st-input px-1.5 py-0.5 font-semibold text-st-input"
            >
              skipped · {skipClassLabel(feature.skipClass)}
            </span>
          ) : null}
          {feature.attempts > 0 && feature.status !== 'passing' ? (
            <span>
              attempt {feature.attempts}/{feature.maxAttempts}
            </span>
          ) : null}
          {feature.status === 'needs_input' && feature.blockerNote ? (
            <span className="line-clamp-2 text-st-input">{feature.blockerNote}</span>
          ) : null}
          {feature.failureReason !== null ? (
            // The reason includes the newest verification's failure when that is why it failed: one line, not two.
            <span
              data-testid="failure-reason"
              className="line-clamp-3 w-full text-st-failed"
              title={feature.failureReason}
            >
              ✗ {feature.failureReason}
            </span>
          ) : null}
          <VerificationLine
            project={projectName}
            feature={feature}
            v={feature.failureReason !== null && verification?.kind === 'failing' ? null : verification}
          />
          {feature.status === 'needs_input' ? (
            <Link
              to={`/projects/${encodeURIComponent(project)}/inbox#request-for-${feature.id}`}
              // Not a tab stop of its own (the card is one); the drawer Enter opens has the same link.
              tabIndex={-1}
              className="relative z-10 font-semibold text-st-input underline underline-offset-2"
            >
              Answer in the inbox →
            </Link>
          ) : null}
        </div>
      </div>
      {agent ? (
        <span
          className="relative z-10 flex flex-col items-center"
          title={`${mascotForSlot(agent.slot)} is on it (${agent.state})`}
        >
          <Mascot name={mascotForSlot(agent.slot)} state={agent.state} size={34} />
          <span className="text-[10px] text-muted">{mascotForSlot(agent.slot)}</span>
        </span>
      ) : null}
    </article>
  );
});
