import { z } from 'zod';
import type { DesignFindingReport } from '../db/ports.js';
import { voteConflict } from '../domain/design-review.js';
import { AppError } from '../domain/errors.js';
import {
  DesignVoteInputSchema,
  NewDesignFindingSchema,
  type DesignVoteInput,
  type PersonaName,
} from '../shared/design.js';
import type { FindingStatus, FindingSeverity } from '../shared/checkpoints.js';
import type { FeatureTool } from './feature-tools.js';
import { fromError, ok } from './tool-result.js';

/**
 * The tools of a design review's persona session: `review_add_finding` records one design problem seen in the
 * capture (the persona is the session's, filled here, never taken from the model; the screenshot must be a file of
 * this iteration's capture) and `design_vote` gives the persona's verdict on the iteration.
 *
 * The vote ends the review: findings after it are refused (a vote judges what was found). A second `design_vote`
 * replaces the first — the runner reads the vote only when the session ends, so a persona that reconsiders (or fixes
 * a rationale) is taken at its last word rather than held to a vote it says is wrong. An approval is refused while
 * the persona itself reported a critical or major finding in this session (domain voteConflict).
 */
export interface DesignToolDeps {
  /** Whose session this is. */
  readonly persona: PersonaName;
  /** The file names in the iteration's capture folder (what `screenshot` may name). */
  readonly screenshots: readonly string[];
  /** Stores a sighting (DesignPort.see at the iteration); returns the finding's id, status and whether it is new. */
  readonly addFinding: (report: DesignFindingReport) => {
    readonly finding: { readonly id: string; readonly status: FindingStatus };
    readonly isNew: boolean;
  };
  /** Records the vote (called again when the persona replaces it). */
  readonly vote: (vote: DesignVoteInput) => void;
}

/** How many screenshot names an error lists (a capture of many pages has dozens). */
const LISTED_SCREENSHOTS = 30;

const expectStep = z
  .union([
    z.object({ expectText: z.string() }).strict(),
    z.object({ expectNoText: z.string() }).strict(),
    z.object({ expectVisible: z.record(z.string(), z.unknown()) }).strict(),
  ])
  .describe(
    'One assertion: {"expectText": "…"}, {"expectNoText": "…"} or {"expectVisible": {"role": "button", "name": "Save"}} (or label, placeholder, text, testId)',
  );

const findingShape = {
  severity: z
    .enum(['critical', 'major', 'minor', 'info'])
    .describe(
      'critical: a task cannot be done or content cannot be read; major: a clear problem to fix soon; minor: polish; info',
    ),
  category: z
    .string()
    .describe('Short kebab-case kind, e.g. contrast, spacing, typography, layout, navigation, copy, consistency'),
  title: z.string().describe('One line naming the problem (the same problem keeps the same title)'),
  detail: z.string().describe('What is wrong, where on the page, and why it matters to people using it'),
  page: z.string().describe('The page path as captured, e.g. "/" or "/settings"'),
  viewport: z.enum(['desktop', 'mobile']).describe('desktop (1280×800) or mobile (390×844)'),
  theme: z.enum(['light', 'dark']),
  screenshot: z.string().describe('The file name of the screenshot that shows it (one of the capture folder)'),
  evidence: z.string().optional().describe('What shows it: the element, its colours and contrast, sizes, axe output'),
  suggestedFix: z.string().optional().describe('What to change'),
  expect: z
    .array(expectStep)
    .optional()
    .describe('Up to 5 assertions that hold on the page once it is fixed (they become the fix feature check)'),
};

const invalid = (tool: string, error: z.ZodError) =>
  new AppError(
    'INVALID_INPUT',
    `invalid input for ${tool}: ${error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}. Fix the arguments and call again.`,
  );

export function createDesignTools(deps: DesignToolDeps): FeatureTool[] {
  const capture = new Set(deps.screenshots);
  /** This session's own findings (not dismissed ones): what an approval must not contradict. */
  const own = new Map<string, { severity: FindingSeverity; title: string }>();
  let voted: DesignVoteInput | null = null;
  return [
    {
      name: 'review_add_finding',
      description:
        'Design reviewer only: record one problem you see in the screenshots (one call per problem), naming the page, viewport, theme and the screenshot that shows it. Critical and major findings become design fix features. Call design_vote when you are done.',
      shape: findingShape,
      handler: async (raw: unknown) => {
        try {
          const parsed = NewDesignFindingSchema.safeParse(raw ?? {});
          if (!parsed.success) throw invalid('review_add_finding', parsed.error);
          if (voted !== null)
            throw new AppError('CONFLICT', 'your vote is cast (design_vote was called); findings after it are refused');
          const finding = parsed.data;
          if (!capture.has(finding.screenshot)) {
            const names = [...capture].sort();
            const listed = names.slice(0, LISTED_SCREENSHOTS).join(', ');
            const more = names.length > LISTED_SCREENSHOTS ? ` and ${names.length - LISTED_SCREENSHOTS} more` : '';
            throw new AppError(
              'INVALID_INPUT',
              `screenshot "${finding.screenshot}" is not in this iteration's capture; name one of: ${listed || '(none)'}${more}`,
            );
          }
          const stored = deps.addFinding({ ...finding, source: 'agent', persona: deps.persona });
          if (stored.finding.status === 'dismissed') own.delete(stored.finding.id);
          else own.set(stored.finding.id, { severity: finding.severity, title: finding.title });
          return await Promise.resolve(
            ok({
              finding: stored.finding.id,
              new: stored.isNew,
              ...(stored.finding.status === 'dismissed'
                ? { note: 'A person dismissed this problem before; it stays dismissed.' }
                : {}),
              next: 'Recorded. Go on, or call design_vote.',
            }),
          );
        } catch (err: unknown) {
          return fromError(err);
        }
      },
    },
    {
      name: 'design_vote',
      description:
        'Design reviewer only: your verdict on this iteration: approve (true only when nothing critical or major remains from your angle), a score 1–10 and a one-paragraph rationale. This ends your review; calling it again replaces your vote. Then stop.',
      shape: {
        approve: z.boolean().describe('true: the app may ship from your angle; false: changes are needed'),
        score: z.number().int().describe('1 (unusable) to 10 (excellent)'),
        rationale: z.string().describe('One paragraph (at most 1500 characters): why this vote'),
      },
      handler: async (raw: unknown) => {
        try {
          const parsed = DesignVoteInputSchema.safeParse(raw ?? {});
          if (!parsed.success) throw invalid('design_vote', parsed.error);
          const conflict = voteConflict(parsed.data.approve, [...own.values()]);
          if (conflict !== null) throw new AppError('INVALID_INPUT', conflict);
          const replaced = voted !== null;
          deps.vote(parsed.data);
          voted = parsed.data;
          return await Promise.resolve(ok({ recorded: true, replaced, next: 'Your vote is recorded. Stop now.' }));
        } catch (err: unknown) {
          return fromError(err);
        }
      },
    },
  ];
}
