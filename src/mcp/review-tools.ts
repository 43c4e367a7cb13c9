import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import { NewFindingSchema, ReviewFinishSchema, type NewFinding } from '../shared/checkpoints.js';
import type { FeatureTool } from './feature-tools.js';
import { fromError, ok } from './tool-result.js';

/**
 * The tools of a checkpoint's reviewer session: `review_add_finding` records one problem (validated at the boundary;
 * the checkpoint stores it by fingerprint, so reporting the same problem twice is one finding) and `review_finish`
 * ends the review with its summary. After the summary no more findings are taken.
 */
export interface ReviewToolHandlers {
  /** Stores a finding; returns its id and whether it is new to the project. */
  readonly addFinding: (finding: NewFinding) => { readonly id: string; readonly isNew: boolean };
  readonly finish: (summary: string) => void;
}

const findingShape = {
  severity: z
    .enum(['critical', 'major', 'minor', 'info'])
    .describe('critical: exploitable or data-losing now; major: a real defect to fix soon; minor; info'),
  category: z.string().describe('Short kebab-case kind, e.g. xss, sql-injection, csrf, auth, type-safety, bundle-size'),
  title: z.string().describe('One line naming the problem (the same problem keeps the same title)'),
  detail: z.string().describe('What is wrong and why it matters'),
  file: z.string().optional().describe('Path relative to the project root'),
  line: z.number().int().optional().describe('Line in that file'),
  evidence: z.string().optional().describe('What shows it: code, a command and its output, a request and response'),
  suggestedFix: z.string().optional().describe('What to change'),
};

const invalid = (tool: string, error: z.ZodError) =>
  new AppError(
    'INVALID_INPUT',
    `invalid input for ${tool}: ${error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}. Fix the arguments and call again.`,
  );

export function createReviewTools(handlers: ReviewToolHandlers): FeatureTool[] {
  let finished = false;
  return [
    {
      name: 'review_add_finding',
      description:
        'Reviewer only: record one problem you found (one call per problem). Give the file and line when there is one, the evidence, and a suggested fix. Critical and major findings become fix features; a critical one pauses the run.',
      shape: findingShape,
      handler: async (raw: unknown) => {
        try {
          const parsed = NewFindingSchema.safeParse(raw ?? {});
          if (!parsed.success) throw invalid('review_add_finding', parsed.error);
          if (finished) throw new AppError('CONFLICT', 'the review is finished (review_finish was called); stop now');
          const stored = handlers.addFinding(parsed.data);
          return await Promise.resolve(
            ok({ finding: stored.id, new: stored.isNew, next: 'Recorded. Go on, or call review_finish.' }),
          );
        } catch (err: unknown) {
          return fromError(err);
        }
      },
    },
    {
      name: 'review_finish',
      description: 'Reviewer only: end your review with a summary (what you looked at, what you found). Then stop.',
      shape: { summary: z.string().describe('What you reviewed and what you found, in a paragraph') },
      handler: async (raw: unknown) => {
        try {
          const parsed = ReviewFinishSchema.safeParse(raw ?? {});
          if (!parsed.success) throw invalid('review_finish', parsed.error);
          if (finished) throw new AppError('CONFLICT', 'the review is finished already; stop now');
          finished = true;
          handlers.finish(parsed.data.summary);
          return await Promise.resolve(ok({ recorded: true, next: 'Your review is recorded. Stop now.' }));
        } catch (err: unknown) {
          return fromError(err);
        }
      },
    },
  ];
}
