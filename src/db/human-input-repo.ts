import { randomBytes } from 'node:crypto';
import type { BlockerType } from '../domain/blocker.js';
import { AppError } from '../domain/errors.js';
import { type FeatureStatus, nextStatus } from '../domain/feature.js';
import type { EventOf } from '../shared/events.js';
import type { HumanInputField, HumanInputKind, HumanInputStatus, HumanInputValue } from '../shared/human-input.js';
import type { Db } from './connection.js';
import { appendEvent } from './event-repo.js';
import { notFound } from './feature-repo.js';
import { type FeatureRow, loadDependencies, toFeature } from './feature-rows.js';
import {
  type Claim,
  type Clock,
  type DisputePort,
  type Feature,
  type HumanInputAnswer,
  type HumanInputPort,
  type HumanInputRequest,
  type NewHumanInputRequest,
  systemClock,
} from './ports.js';
import { REFUND_ATTEMPT } from './claim-repo.js';

interface RequestRow {
  id: string;
  feature_id: number;
  feature_name: string | null;
  session_id: string | null;
  kind: HumanInputKind;
  prompt: string;
  fields: string;
  status: HumanInputStatus;
  answered_by: 'human' | 'supervisor' | null;
  answer: string | null;
  secret_keys: string;
  reason: string | null;
  created_at: number;
  answered_at: number | null;
  reasons: string;
  placeholder_keys: string;
  overrides: string | null;
  overridden_by: string | null;
  dispute_id: string | null;
}

const SELECT = `SELECT r.*, f.name AS feature_name, d.id AS dispute_id FROM human_input_requests r
  LEFT JOIN features f ON f.id = r.feature_id LEFT JOIN acceptance_disputes d ON d.request_id = r.id`;

/** Where answers to a dispute's request go (src/db/dispute-repo.ts): they decide the dispute. */
export type DisputeRouting = Pick<DisputePort, 'forRequest' | 'decide'>;

/**
 * Human input gates in the project database. Asking moves the claimed feature to `needs_input`
 * (compare-and-set on the claim token); answering or cancelling is compare-and-set on the
 * request's `open` status, so a second answer is a clear conflict and changes nothing.
 */
export class HumanInputRepo implements HumanInputPort {
  /**
   * With `disputes`, a request that asks for a dispute's decision is decided there when it is answered or cancelled
   * (and cannot be overridden); the dispute repository itself uses one without, to close the request.
   */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
    private readonly disputes?: DisputeRouting,
  ) {}

  /**
   * The session holding `claim` asks a human: in one transaction the request is created and the
   * feature leaves the session (claim cleared, attempt refunded: asking is not a failure).
   */
  request(claim: Claim, input: NewHumanInputRequest): { request: HumanInputRequest; feature: Feature } {
    const now = this.clock.now();
    const id = `hir_${randomBytes(6).toString('hex')}`;
    const blockerType: BlockerType =
      input.kind === 'questions' || !input.fields.some((f) => f.type === 'secret') ? 'unclear_spec' : 'credentials';
    const row = this.db
      .transaction(() => {
        const held = this.db
          .prepare(`SELECT status FROM features WHERE id = ? AND claim_token = ? AND status = 'in_progress'`)
          .get(claim.featureId, claim.token) as { status: FeatureStatus } | undefined;
        if (!held) {
          throw new AppError(
            'CLAIM_LOST',
            `your claim on feature ${claim.featureId} is no longer valid (the lease expired or another session took it over); stop working on it`,
          );
        }
        this.db
          .prepare(
            `INSERT INTO human_input_requests (id, feature_id, session_id, kind, prompt, fields, status, created_at)
             VALUES (@id, @featureId, @sessionId, @kind, @prompt, @fields, 'open', @now)`,
          )
          .run({
            id,
            featureId: claim.featureId,
            sessionId: claim.owner,
            kind: input.kind,
            prompt: input.prompt,
            fields: JSON.stringify(input.fields),
            now,
          });
        const updated = this.db
          .prepare(
            `UPDATE features SET status = @status, claim_token = NULL, claimed_by = NULL, lease_expires_at = NULL,
               attempts = ${REFUND_ATTEMPT}, blocker_type = @blockerType, blocker_note = @prompt,
               blocked_since = coalesce(blocked_since, @now), notes = notes || @note, updated_at = @now
             WHERE id = @featureId AND claim_token = @token AND status = @from RETURNING *`,
          )
          .get({
            featureId: claim.featureId,
            token: claim.token,
            from: held.status,
            status: nextStatus(held.status, 'needs_input', claim.featureId),
            blockerType,
            prompt: input.prompt,
            now,
            note: noteLine(now, `asked a human (${id}): ${input.prompt}`),
          }) as FeatureRow;
        appendEvent(this.db, {
          type: 'feature.needs_input',
          at: now,
          featureId: claim.featureId,
          sessionId: claim.owner,
          payload: {
            status: updated.status,
            requestId: id,
            kind: input.kind,
            prompt: input.prompt,
            fields: [...input.fields],
          },
        });
        return updated;
      })
      .immediate();
    return { request: this.get(id), feature: this.feature(row) };
  }

  get(id: string): HumanInputRequest {
    const row = this.db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as RequestRow | undefined;
    if (!row) throw unknownRequest(id);
    return toRequest(row);
  }

  /** Open requests (oldest first), or all (newest first). */
  list(filter: { status?: 'open' | 'all'; featureId?: number } = {}): HumanInputRequest[] {
    const open = (filter.status ?? 'open') === 'open';
    const where = [
      open ? `r.status = 'open'` : 'TRUE',
      filter.featureId === undefined ? 'TRUE' : 'r.feature_id = @featureId',
    ].join(' AND ');
    const rows = this.db
      .prepare(`${SELECT} WHERE ${where} ORDER BY r.created_at ${open ? 'ASC' : 'DESC'}, r.id`)
      .all({ featureId: filter.featureId ?? null }) as RequestRow[];
    return rows.map(toRequest);
  }

  /** The open request of a feature, if any. */
  openFor(featureId: number): HumanInputRequest | undefined {
    const row = this.db
      .prepare(`${SELECT} WHERE r.feature_id = ? AND r.status = 'open' ORDER BY r.created_at DESC LIMIT 1`)
      .get(featureId) as RequestRow | undefined;
    return row ? toRequest(row) : undefined;
  }

  /**
   * Records an answer (already validated; secrets already written to `.env`): the feature goes
   * back to pending, first in line, with the non-secret answers and the secret key names as a
   * note the next session reads.
   */
  answer(id: string, answer: HumanInputAnswer): { request: HumanInputRequest; feature: Feature } {
    const dispute = this.disputes?.forRequest(id);
    if (dispute && this.disputes) {
      const decision = answer.values.decision;
      if (decision !== 'accept' && decision !== 'reject')
        throw new AppError(
          'INVALID_INPUT',
          `request ${id} decides dispute ${dispute.id}: answer decision with "accept" or "reject"; nothing was changed`,
          { details: { field: 'decision' } },
        );
      const why = answer.values.reason ?? answer.reasons?.decision ?? answer.reasons?.reason ?? null;
      const { feature } = this.disputes.decide(dispute.id, {
        accept: decision === 'accept',
        by: answer.by,
        reason: why === null ? null : String(why),
      });
      return { request: this.get(id), feature };
    }
    const now = this.clock.now();
    const lines = answerLines(answer);
    return this.close(id, now, {
      status: 'answered',
      by: answer.by,
      answer: JSON.stringify(answer.values),
      secretKeys: JSON.stringify(answer.secretKeys),
      reasons: JSON.stringify(answer.reasons ?? {}),
      placeholderKeys: JSON.stringify(answer.placeholderKeys ?? []),
      reason: null,
      note: (r) =>
        `answered by ${answer.by === 'supervisor' ? 'the supervisor' : 'a human'} (${r.id}): ${lines.length > 0 ? lines.join('; ') : '(no values given)'}`,
      event: (status) => ({
        type: 'feature.input_answered',
        payload: {
          by: answer.by,
          fields: Object.keys(answer.values),
          secretKeys: { ...answer.secretKeys },
          placeholderKeys: [...(answer.placeholderKeys ?? [])],
          requestId: id,
          status,
        },
      }),
    });
  }

  /**
   * The supervisor-answered request `id`, if a human may override it now; else the reason as an
   * AppError (unknown; not answered by the supervisor; overridden already; its feature is being
   * worked on). `override` checks it again inside its transaction.
   */
  overridable(id: string): HumanInputRequest {
    const old = this.get(id);
    if (old.disputeId !== null)
      throw new AppError(
        'CONFLICT',
        `request ${id} decided the acceptance dispute ${old.disputeId}; a decision on checks is not overridden (the checks it left are in force). Nothing was changed.`,
        { details: { status: old.status, disputeId: old.disputeId } },
      );
    if (old.status !== 'answered' || old.answeredBy !== 'supervisor') {
      throw new AppError(
        'CONFLICT',
        `request ${id} was ${old.status === 'answered' ? `answered by a ${old.answeredBy ?? 'human'}` : old.status === 'open' ? 'not answered yet (answer it instead)' : old.status}; only a supervisor's answer can be overridden. Nothing was changed.`,
        { details: { status: old.status } },
      );
    }
    if (old.overriddenBy !== null) {
      throw new AppError(
        'CONFLICT',
        `the supervisor's answer to ${id} was already overridden by ${old.overriddenBy}; nothing was changed`,
        { details: { status: old.status, overriddenBy: old.overriddenBy } },
      );
    }
    const feature = this.db.prepare('SELECT status FROM features WHERE id = ?').get(old.featureId) as
      { status: string } | undefined;
    if (!feature) throw notFound(old.featureId);
    if (feature.status === 'in_progress') {
      throw new AppError(
        'CONFLICT',
        `feature ${old.featureId} is being worked on right now; override once its session ends (or pause the run first). Nothing was changed.`,
        { details: { status: feature.status } },
      );
    }
    return old;
  }

  /**
   * A human replaces the supervisor's answer to `id` (already validated; secrets already in
   * `.env`): a new answered request records the human's values and points back to it, the
   * supervisor's request points forward, and the feature re-opens — pending, first in line, with
   * attempts reset — so its next session redoes the work with the new answer. Refused, changing
   * nothing, when the request was not answered by the supervisor, was overridden already, or its
   * feature is being worked on right now.
   */
  override(
    id: string,
    answer: Omit<HumanInputAnswer, 'by' | 'reasons' | 'placeholderKeys'>,
  ): { request: HumanInputRequest; feature: Feature } {
    const now = this.clock.now();
    const newId = `hir_${randomBytes(6).toString('hex')}`;
    const featureRow = this.db
      .transaction(() => {
        const old = this.overridable(id);
        const from = this.db
          .prepare('SELECT status FROM features WHERE id = ?')
          .pluck()
          .get(old.featureId) as FeatureStatus;
        this.db
          .prepare(
            `INSERT INTO human_input_requests (id, feature_id, session_id, kind, prompt, fields, status, answered_by, answer, secret_keys, overrides, created_at, answered_at)
             VALUES (@id, @featureId, NULL, @kind, @prompt, @fields, 'answered', 'human', @answer, @secretKeys, @overrides, @now, @now)`,
          )
          .run({
            id: newId,
            featureId: old.featureId,
            kind: old.kind,
            prompt: old.prompt,
            fields: JSON.stringify(old.fields),
            answer: JSON.stringify(answer.values),
            secretKeys: JSON.stringify(answer.secretKeys),
            overrides: id,
            now,
          });
        this.db.prepare(`UPDATE human_input_requests SET overridden_by = ? WHERE id = ?`).run(newId, id);
        const lines = answerLines({ ...answer, by: 'human' });
        const note = noteLine(
          now,
          `a human overrode the supervisor's answer to ${id} (${newId}): ${lines.length > 0 ? lines.join('; ') : '(no values given)'}; change what was built on the supervisor's answer`,
        );
        // A feature waiting on another request keeps waiting; anything else re-opens.
        const status = nextStatus(from, from === 'needs_input' ? from : 'pending', old.featureId);
        const row = this.db
          .prepare(
            `UPDATE features SET status = @status,
               priority = (SELECT min(priority) - 1 FROM features), attempts = 0, run_after = 0, passed_at = NULL, verification_id = NULL,
               notes = notes || @note, updated_at = @now
             WHERE id = @featureId AND status = @from RETURNING *`,
          )
          .get({ featureId: old.featureId, from, status, note, now }) as FeatureRow;
        appendEvent(this.db, {
          type: 'feature.input_overridden',
          at: now,
          featureId: old.featureId,
          payload: {
            requestId: newId,
            overrides: id,
            from,
            status: row.status,
            fields: Object.keys(answer.values),
            secretKeys: answer.secretKeys,
          },
        });
        return row;
      })
      .immediate();
    return { request: this.get(newId), feature: this.feature(featureRow) };
  }

  /** Withdraws the request: the feature goes back to pending with the reason as a note. */
  cancel(
    id: string,
    reason: string | null,
    by: 'human' | 'supervisor' = 'human',
  ): { request: HumanInputRequest; feature: Feature } {
    const dispute = this.disputes?.forRequest(id);
    if (dispute && this.disputes) {
      // Withdrawing the question leaves the checks as they are: the dispute is rejected, with the reason.
      const { feature } = this.disputes.decide(dispute.id, {
        accept: false,
        by,
        reason: reason ?? 'the question was cancelled',
      });
      return { request: this.get(id), feature };
    }
    const now = this.clock.now();
    return this.close(id, now, {
      status: 'cancelled',
      by,
      answer: null,
      secretKeys: '{}',
      reasons: '{}',
      placeholderKeys: '[]',
      reason,
      note: (r) =>
        `the request ${r.id} was cancelled by a ${by}${reason ? `: ${reason}` : ''}; decide without it, or skip the feature if it cannot be done`,
      event: (status) => ({ type: 'feature.input_cancelled', payload: { by, reason, requestId: id, status } }),
    });
  }

  /** Every `.env` key that holds an answered secret (the runner masks their values). */
  secretKeys(): string[] {
    const rows = this.db
      .prepare(`SELECT secret_keys FROM human_input_requests WHERE status = 'answered' AND secret_keys <> '{}'`)
      .pluck()
      .all() as string[];
    return [...new Set(rows.flatMap((r) => Object.values(JSON.parse(r) as Record<string, string>)))];
  }

  private close(
    id: string,
    now: number,
    change: {
      status: 'answered' | 'cancelled';
      by: 'human' | 'supervisor';
      answer: string | null;
      secretKeys: string;
      reasons: string;
      placeholderKeys: string;
      reason: string | null;
      note: (r: RequestRow) => string;
      event: (status: FeatureStatus) => EventOf<'feature.input_answered'> | EventOf<'feature.input_cancelled'>;
    },
  ): { request: HumanInputRequest; feature: Feature } {
    const featureRow = this.db
      .transaction(() => {
        const closed = this.db
          .prepare(
            `UPDATE human_input_requests SET status = @status, answered_by = @by, answer = @answer, secret_keys = @secretKeys,
               reasons = @reasons, placeholder_keys = @placeholderKeys, reason = @reason, answered_at = @now
             WHERE id = @id AND status = 'open' RETURNING *`,
          )
          .get({
            id,
            now,
            status: change.status,
            by: change.by,
            answer: change.answer,
            secretKeys: change.secretKeys,
            reasons: change.reasons,
            placeholderKeys: change.placeholderKeys,
            reason: change.reason,
          }) as RequestRow | undefined;
        if (!closed) throw this.notOpen(id);
        // Back to pending, first in line. A feature no longer waiting (a human moved it) keeps its status.
        const from = this.db.prepare('SELECT status FROM features WHERE id = ?').pluck().get(closed.feature_id) as
          FeatureStatus | undefined;
        if (from === 'needs_input') {
          this.db
            .prepare(
              `UPDATE features SET status = @status, priority = (SELECT min(priority) - 1 FROM features), run_after = 0,
                 blocker_type = NULL, blocker_note = NULL, blocked_since = NULL, updated_at = @now
               WHERE id = @featureId AND status = @from`,
            )
            .run({ featureId: closed.feature_id, from, status: nextStatus(from, 'pending', closed.feature_id), now });
        }
        const row = this.db
          .prepare(`UPDATE features SET notes = notes || @note, updated_at = @now WHERE id = @featureId RETURNING *`)
          .get({ featureId: closed.feature_id, now, note: noteLine(now, change.note(closed)) }) as
          FeatureRow | undefined;
        if (!row) throw notFound(closed.feature_id);
        appendEvent(this.db, { ...change.event(row.status), at: now, featureId: closed.feature_id });
        return row;
      })
      .immediate();
    return { request: this.get(id), feature: this.feature(featureRow) };
  }

  private notOpen(id: string): AppError {
    const row = this.db.prepare('SELECT status FROM human_input_requests WHERE id = ?').get(id) as
      { status: HumanInputStatus } | undefined;
    if (!row) return unknownRequest(id);
    return new AppError('CONFLICT', `request ${id} is already ${row.status}; nothing was changed`, {
      details: { status: row.status },
    });
  }

  private feature(row: FeatureRow): Feature {
    return toFeature(row, loadDependencies(this.db, [row.id]).get(row.id) ?? []);
  }
}

export function unknownRequest(id: string): AppError {
  return new AppError(
    'NOT_FOUND',
    `no human-input request "${id.slice(0, 100)}" in this project (list them with \`autocoder inbox <project>\`)`,
    { details: { requestId: id.slice(0, 100) } },
  );
}

function toRequest(r: RequestRow): HumanInputRequest {
  return {
    id: r.id,
    featureId: r.feature_id,
    featureName: r.feature_name,
    sessionId: r.session_id,
    kind: r.kind,
    prompt: r.prompt,
    fields: JSON.parse(r.fields) as HumanInputField[],
    status: r.status,
    answeredBy: r.answered_by,
    answer: r.answer === null ? null : (JSON.parse(r.answer) as Record<string, HumanInputValue>),
    secretKeys: JSON.parse(r.secret_keys) as Record<string, string>,
    reason: r.reason,
    createdAt: r.created_at,
    answeredAt: r.answered_at,
    reasons: JSON.parse(r.reasons) as Record<string, string>,
    placeholderKeys: JSON.parse(r.placeholder_keys) as string[],
    overrides: r.overrides,
    overriddenBy: r.overridden_by,
    disputeId: r.dispute_id,
  };
}

/** One note line per answered field: values, where secrets went, and the supervisor's reasons. */
function answerLines(answer: HumanInputAnswer): string[] {
  const placeholders = new Set(answer.placeholderKeys ?? []);
  const why = (field: string) => (answer.reasons?.[field] ? ` (reason: ${answer.reasons[field]})` : '');
  return [
    ...Object.entries(answer.values).map(([field, value]) => `${field} = ${JSON.stringify(value)}${why(field)}`),
    ...Object.entries(answer.secretKeys).map(([field, key]) =>
      placeholders.has(key)
        ? `secret ${field}: a DEVELOPMENT PLACEHOLDER (not a real credential) saved in .env as ${key}; code must work with it and the real value can replace it later`
        : `secret ${field} saved in .env as ${key}`,
    ),
  ];
}

function noteLine(at: number, text: string): string {
  return `[${new Date(at).toISOString()}] ${text.replace(/\n/g, ' ')}\n`;
}
