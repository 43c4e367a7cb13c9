import type { Claim } from '../db/ports.js';

/**
 * Who is calling the feature tools. Each agent session gets its own, so a tool can act only
 * on features this session holds a claim for. The runner may hand a claim in up front
 * (it claims for the session); `feature_claim_next` adds claims made by the session itself.
 */
export interface ToolSession {
  readonly sessionId: string;
  readonly claims: Map<number, Claim>;
}

export function createToolSession(sessionId: string, claims: readonly Claim[] = []): ToolSession {
  return { sessionId, claims: new Map(claims.map((c) => [c.featureId, c])) };
}
