import { randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { canonicalJson, type AcceptanceCheck, type DisputeStatus } from '../shared/acceptance.js';
import type { HumanInputField } from '../shared/human-input.js';
import { frozenAcceptance } from './acceptance-hash.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import { notFound } from './feature-repo.js';
import { type FeatureRow, loadDependencies, toFeature } from './feature-rows.js';
import type { HumanInputRepo } from './human-input-repo.js';
import {
  type AcceptanceDispute,
  type Claim,
  type Clock,
  type DisputeDecision,
  type DisputePort,
  type Feature,
  type HumanInputRequest,
  systemClock,
} from './ports.js';

interface DisputeRow {
  id: string;
  feature_id: number;
  feature_name: string | null;
  session_id: string | null;
  request_id: string | null;
  reason: string;
  proposed: string;
  previous: string | null;
  status: DisputeStatus;
  decided_by: 'human' | 'supervisor' | null;
  decision_reason: string | null;
  hash_before: string | null;
  hash_after: string | null;
  created_at: number;
  decided_at: number | null;
}

const SELECT = `SELECT d.*, f.name AS feature_name FROM acceptance_disputes d LEFT JOIN features f ON f.id = d.feature_id`;

/** What the dispute's human-input request asks: accept or reject, and why (the coder reads the why). */
export const DISPUTE_FIELDS: readonly HumanInputField[] = [
  {
    id: 'decision',
    label: 'Accept the proposed checks?',
    type: 'select',
    required: true,
    options: ['accept', 'reject'],
    help: 'accept: the proposed checks replace the frozen ones; reject: the frozen checks stay',
  },
  { id: 'reason', label: 'Why (the coding agent reads this)', type: 'textarea', required: false },
];

/**
 * Disputes of frozen acceptance checks. A dispute is asked as a human-input request (through the
 * human-input repository, in the same transaction), so the feature leaves the session exactly as
 * when it asks a person anything; deciding answers that request and changes the checks.
 * `requests` is the human-input repository that does not route dispute requests back here.
 */
export class DisputeRepo implements DisputePort {
  constructor(
    private readonly db: Db,
    private readonly requests: HumanInputRepo,
    private readonly clock: Clock = systemClock,
  ) {}

  open(
    claim: Claim,
    input: { readonly reason: string; readonly proposed: readonly AcceptanceCheck[] },
  ): { dispute: AcceptanceDispute; request: HumanInputRequest; feature: Feature } {
    const proposed = frozenAcceptance(input.proposed, 'proposed');
    if (proposed === null) throw new AppError('INVALID_INPUT', 'proposed: give the checks you propose instead');
    const reason = input.reason.trim();
    if (reason === '') throw new AppError('INVALID_INPUT', 'reason: say which check is wrong and why');
    const id = `dsp_${randomBytes(6).toString('hex')}`;
    const { requestId, featureId } = this.db
      .transaction(() => {
        const current = this.db
          .prepare(
            `SELECT name, acceptance, acceptance_hash FROM features WHERE id = ? AND claim_token = ? AND status = 'in_progress'`,
          )
          .get(claim.featureId, claim.token) as
          { name: string; acceptance: string | null; acceptance_hash: string | null } | undefined;
        if (current && current.acceptance_hash === proposed.hash)
          throw new AppError(
            'INVALID_INPUT',
            'proposed: these are the frozen checks as they are; propose the checks you believe are right',
          );
        const count = (json: string | null) => (json === null ? 0 : (JSON.parse(json) as unknown[]).length);
        // Refuses (CLAIM_LOST) a session that does not hold the feature, before anything is written.
        const { request } = this.requests.request(claim, {
          kind: 'fields',
          prompt: `Feature #${claim.featureId}${current ? ` "${current.name}"` : ''}: its coding agent disputes the frozen acceptance checks: ${reason}. Decide: accept (the ${proposed.checks.length} proposed checks replace the ${count(current?.acceptance ?? null)} current ones) or reject (the checks stay; say why). Compare both lists in dispute ${id}. Proposed: ${excerpt(canonicalJson(proposed.checks))}`,
          fields: DISPUTE_FIELDS,
        });
        const now = this.clock.now();
        this.db
          .prepare(
            `INSERT INTO acceptance_disputes (id, feature_id, session_id, request_id, reason, proposed, previous, status,
               hash_before, created_at)
             VALUES (@id, @featureId, @sessionId, @requestId, @reason, @proposed, @previous, 'open', @hashBefore, @now)`,
          )
          .run({
            id,
            featureId: claim.featureId,
            sessionId: claim.owner,
            requestId: request.id,
            reason,
            proposed: proposed.json,
            previous: current?.acceptance ?? null,
            hashBefore: current?.acceptance_hash ?? null,
            now,
          });
        appendEvent(this.db, {
          type: 'acceptance.disputed',
          at: now,
          featureId: claim.featureId,
          sessionId: claim.owner,
          payload: {
            disputeId: id,
            requestId: request.id,
            reason,
            hash: current?.acceptance_hash ?? null,
            status: 'needs_input',
          },
        });
        return { requestId: request.id, featureId: claim.featureId };
      })
      .immediate();
    return { dispute: this.get(id), request: this.requests.get(requestId), feature: this.feature(featureId) };
  }

  get(id: string): AcceptanceDispute {
    const row = this.db.prepare(`${SELECT} WHERE d.id = ?`).get(id) as DisputeRow | undefined;
    if (!row) throw unknownDispute(id);
    return toDispute(row);
  }

  list(filter: { status?: 'open' | 'all'; featureId?: number } = {}): AcceptanceDispute[] {
    const open = (filter.status ?? 'open') === 'open';
    const where = [
      open ? `d.status = 'open'` : 'TRUE',
      filter.featureId === undefined ? 'TRUE' : 'd.feature_id = @featureId',
    ].join(' AND ');
    const rows = this.db
      .prepare(
        `${SELECT} WHERE ${where} ORDER BY d.created_at ${open ? 'ASC' : 'DESC'}, d.rowid ${open ? 'ASC' : 'DESC'}`,
      )
      .all({ featureId: filter.featureId ?? null }) as DisputeRow[];
    return rows.map(toDispute);
  }

  forRequest(requestId: string): AcceptanceDispute | undefined {
    const row = this.db.prepare(`${SELECT} WHERE d.request_id = ?`).get(requestId) as DisputeRow | undefined;
    return row ? toDispute(row) : undefined;
  }

  decide(id: string, decision: DisputeDecision): { dispute: AcceptanceDispute; feature: Feature } {
    const reason = decision.reason?.trim() || null;
    const featureId = this.db
      .transaction(() => {
        const row = this.db.prepare(`${SELECT} WHERE d.id = ?`).get(id) as DisputeRow | undefined;
        if (!row) throw unknownDispute(id);
        if (row.status !== 'open')
          throw new AppError(
            'CONFLICT',
            `dispute ${id} was ${row.status} already${row.decided_by ? ` by ${row.decided_by === 'human' ? 'a human' : 'the supervisor'}` : ''}; nothing was changed`,
            { details: { status: row.status } },
          );
        const feature = this.db.prepare('SELECT acceptance_hash FROM features WHERE id = ?').get(row.feature_id) as
          { acceptance_hash: string | null } | undefined;
        if (!feature) throw notFound(row.feature_id);
        const proposed = JSON.parse(row.proposed) as AcceptanceCheck[];
        const hashAfter = decision.accept ? (frozenAcceptance(proposed)?.hash ?? null) : feature.acceptance_hash;
        // The question is answered the way any human-input answer is: the feature goes back to pending, first in line.
        if (row.request_id !== null) {
          this.requests.answer(row.request_id, {
            values: { decision: decision.accept ? 'accept' : 'reject', ...(reason ? { reason } : {}) },
            secretKeys: {},
            by: decision.by,
          });
        }
        const now = this.clock.now();
        const status = decision.accept ? 'accepted' : 'rejected';
        const updated = this.db
          .prepare(
            `UPDATE acceptance_disputes SET status = @status, decided_by = @by, decision_reason = @reason,
               hash_after = @hashAfter, decided_at = @now WHERE id = @id AND status = 'open'`,
          )
          .run({ id, status, by: decision.by, reason, hashAfter, now });
        if (updated.changes !== 1)
          throw new AppError('CONFLICT', `dispute ${id} was decided meanwhile; nothing was changed`);
        const who = decision.by === 'human' ? 'a human' : 'the supervisor';
        const short = (h: string | null) => (h === null ? 'none' : h.slice(0, 12));
        const note = decision.accept
          ? `acceptance dispute ${id} accepted by ${who}: the proposed checks replace the frozen ones (hash ${short(feature.acceptance_hash)} → ${short(hashAfter)})${reason ? `: ${reason}` : ''}; read them again before you build`
          : `acceptance dispute ${id} rejected by ${who}: the frozen checks stay as they are (hash ${short(hashAfter)})${reason ? `: ${reason}` : ' (no reason given)'}; make the feature pass them`;
        const after = this.db
          .prepare(
            `UPDATE features SET notes = notes || @note, updated_at = @now,
               acceptance = CASE WHEN @accept <> 0 THEN @proposed ELSE acceptance END,
               acceptance_hash = CASE WHEN @accept <> 0 THEN @hashAfter ELSE acceptance_hash END
             WHERE id = @featureId RETURNING status`,
          )
          .get({
            featureId: row.feature_id,
            note: `[${new Date(now).toISOString()}] ${note.replace(/\n/g, ' ')}\n`,
            now,
            accept: decision.accept ? 1 : 0,
            proposed: row.proposed,
            hashAfter,
          }) as { status: Feature['status'] };
        appendEvent(this.db, {
          type: 'acceptance.decided',
          at: now,
          featureId: row.feature_id,
          payload: {
            disputeId: id,
            decision: status,
            by: decision.by,
            reason,
            hashBefore: feature.acceptance_hash,
            hashAfter,
            status: after.status,
          },
        });
        return row.feature_id;
      })
      .immediate();
    return { dispute: this.get(id), feature: this.feature(featureId) };
  }

  private feature(id: number): Feature {
    const row = this.db.prepare('SELECT * FROM features WHERE id = ?').get(id) as FeatureRow | undefined;
    if (!row) throw notFound(id);
    return toFeature(row, loadDependencies(this.db, [id]).get(id) ?? []);
  }
}

/** The proposed checks as the request shows them: whole when short, else their start (the dispute keeps them all). */
const excerpt = (json: string, max = 3_000) =>
  json.length > max ? `${json.slice(0, max)}… (in full: the dispute)` : json;

export function unknownDispute(id: string): AppError {
  return new AppError(
    'NOT_FOUND',
    `no acceptance dispute "${id.slice(0, 100)}" in this project (list them with \`autocoder disputes <project> --all\`)`,
    { details: { disputeId: id.slice(0, 100) } },
  );
}

function toDispute(r: DisputeRow): AcceptanceDispute {
  return {
    id: r.id,
    featureId: r.feature_id,
    featureName: r.feature_name,
    sessionId: r.session_id,
    requestId: r.request_id,
    reason: r.reason,
    proposed: JSON.parse(r.proposed) as AcceptanceCheck[],
    previous: r.previous === null ? null : (JSON.parse(r.previous) as AcceptanceCheck[]),
    status: r.status,
    decidedBy: r.decided_by,
    decisionReason: r.decision_reason,
    hashBefore: r.hash_before,
    hashAfter: r.hash_after,
    createdAt: r.created_at,
    decidedAt: r.decided_at,
  };
}
