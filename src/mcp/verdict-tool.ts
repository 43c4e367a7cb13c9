import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { FeatureTool } from './feature-tools.js';
import { fromError, ok } from './tool-result.js';

/** What the independent verifier decided about a feature before it lands. */
export interface Verdict {
  readonly verdict: 'pass' | 'reject';
  /** Why (a reject needs at least one: they go back to the coding agent). */
  readonly reasons: readonly string[];
}

const shape = {
  verdict: z.enum(['pass', 'reject']).describe('pass: it may land; reject: it goes back to the coding agent'),
  reasons: z
    .array(z.string().trim().min(1, 'a reason must not be empty').max(2_000))
    .max(20)
    .describe('Concrete reasons (file, what is wrong, what to do); at least one for a reject'),
};
const schema = z.object(shape).strict();

/**
 * `verifier_verdict`: the verifier session's only way to answer. Validated at the boundary; the
 * first verdict counts, a second call is refused (the session should have stopped).
 */
export function createVerdictTool(onVerdict: (verdict: Verdict) => void): FeatureTool {
  let given: Verdict | null = null;
  return {
    name: 'verifier_verdict',
    description:
      'Verifier only: your verdict on the feature before it lands. verdict pass (it does what the feature and the spec ask, and the checks prove it) or reject (with reasons the coding agent can act on). Call it once, then stop.',
    shape,
    handler: async (raw: unknown) => {
      try {
        const parsed = schema.safeParse(raw ?? {});
        if (!parsed.success)
          throw new AppError(
            'INVALID_INPUT',
            `invalid input for verifier_verdict: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}. Fix the arguments and call again.`,
          );
        if (parsed.data.verdict === 'reject' && parsed.data.reasons.length === 0)
          throw new AppError('INVALID_INPUT', 'a reject needs at least one reason the coding agent can act on');
        if (given !== null)
          throw new AppError('CONFLICT', `you gave your verdict (${given.verdict}) already; stop now`);
        given = parsed.data;
        onVerdict(given);
        return await Promise.resolve(ok({ recorded: given.verdict, next: 'Your verdict is recorded. Stop now.' }));
      } catch (err: unknown) {
        return fromError(err);
      }
    },
  };
}
