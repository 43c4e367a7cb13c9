import { createHash } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { AcceptanceSchema, canonicalJson, type AcceptanceCheck } from '../shared/acceptance.js';
import { issuesText } from '../shared/zod-issues.js';

/**
 * The content hash that freezes a feature's acceptance checks: sha256 (hex) of their canonical
 * JSON (sorted keys, defaults applied), so the same checks always hash the same, whoever wrote
 * them and in whatever key order. Any store computes it the same way.
 */
export function acceptanceHash(checks: readonly AcceptanceCheck[]): string {
  return createHash('sha256').update(canonicalJson(checks)).digest('hex');
}

/**
 * The checks as they are stored, validated (defaults applied) with their hash; INVALID_INPUT naming the field
 * (`acceptance[1].path`) when they are not valid. `null`/`undefined`: no checks.
 */
export function frozenAcceptance(
  checks: readonly unknown[] | null | undefined,
  field = 'acceptance',
): { json: string; hash: string; checks: AcceptanceCheck[] } | null {
  if (checks === null || checks === undefined) return null;
  const parsed = AcceptanceSchema.safeParse(checks);
  if (!parsed.success) {
    throw new AppError('INVALID_INPUT', `invalid acceptance checks: ${issuesText(parsed.error.issues, field)}`, {
      details: { field },
    });
  }
  return { json: JSON.stringify(parsed.data), hash: acceptanceHash(parsed.data), checks: parsed.data };
}
