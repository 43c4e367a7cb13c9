/**
 * The contract every project store must keep (src/db/ports.ts), written against the port
 * only: no SQL, no connection, nothing SQLite. `defineProjectStoreContract` defines the suite for
 * one implementation; test/contract/sqlite.contract.test.ts runs it against SQLite, and a store
 * of another kind (PostgreSQL) runs the same suite with its own factory.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  Claim,
  ClaimPolicy,
  Clock,
  FindingReport,
  NewCheckpoint,
  NewEvent,
  ProjectStore,
} from '../../src/db/ports.js';
import type { CheckpointAgent, ToolFact } from '../../src/shared/checkpoints.js';
import { AppError } from '../../src/domain/errors.js';
import { FEATURE_STATUSES, type FeatureStatus } from '../../src/domain/feature.js';
import type { EventType } from '../../src/shared/events.js';
import { canonicalJson, type AcceptanceCheck, type Verification } from '../../src/shared/acceptance.js';

/** One empty project store location, and the ways the suite reaches it. */
export interface StoreLocation {
  /** A new store (its own connection or client) on this location. */
  open(options: { clock: Clock; policy: ClaimPolicy }): ProjectStore;
  /**
   * The program and arguments of a process that claims from this location (see test/support/claim-worker.ts for the
   * protocol).
   */
  claimWorker(owner: string): { command: string; args: readonly string[]; cwd: string };
  /** Writes an event row as an older or newer autocoder could have: any type, any payload (bypasses the catalogue). */
  writeRawEvent(type: string, payload: unknown): number;
  dispose(): void;
}

export interface StoreFactory {
  create(): StoreLocation;
  /** The size of the cross-process claim race. */
  readonly race: { readonly features: number; readonly workers: number; readonly timeoutMs: number };
}

/** A clock the test moves by hand, so leases and backoff are tested without waiting. */
class ManualClock implements Clock {
  constructor(public current = Date.UTC(2025, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

const POLICY: ClaimPolicy = { leaseMs: 60_000, backoffBaseMs: 1_000, backoffCapMs: 8_000 };

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err: unknown) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

interface WorkerReport {
  readonly owner: string;
  readonly claims: { id: number; epoch: number }[];
  /** Budget races: what the worker reserved (null: refused). */
  readonly reserved?: number | null;
}

/** Starts the workers, releases them together, and collects what each claimed. */
async function race(
  location: StoreLocation,
  workers: number,
  timeoutMs: number,
  extra: readonly string[] = [],
): Promise<WorkerReport[]> {
  const started = Array.from({ length: workers }, (_, i) => {
    const owner = `worker-${i}`;
    const { command, args, cwd } = location.claimWorker(owner);
    const child = spawn(command, [...args, ...extra], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let reserved: number | null | undefined;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const claims: { id: number; epoch: number }[] = [];
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    let done = false;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const [kind, a, b] = line.split(' ');
      if (kind === 'ready') markReady();
      else if (kind === 'claim') claims.push({ id: Number(a), epoch: Number(b) });
      else if (kind === 'reserved') reserved = Number(a);
      else if (kind === 'refused') reserved = null;
      else if (kind === 'done') done = Number(a) === claims.length;
    });
    const linesClosed = new Promise<void>((resolve) => lines.once('close', resolve));
    const finished = new Promise<WorkerReport>((resolve, reject) => {
      child.once('error', reject);
      child.once(
        'close',
        (code) =>
          void linesClosed.then(() =>
            code === 0 && done
              ? resolve({ owner, claims, ...(reserved !== undefined ? { reserved } : {}) })
              : reject(new Error(`${owner} ended with ${code}: ${stderr.trim()}`)),
          ),
      );
    });
    finished.catch(() => undefined);
    return {
      child,
      ready: Promise.race([
        ready,
        finished.then(() => Promise.reject(new Error(`${owner} ended before it was ready`))),
      ]),
      finished,
    };
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(() => reject(new Error(`the claim race did not end within ${timeoutMs} ms`)), timeoutMs)),
  );
  try {
    await Promise.race([Promise.all(started.map((w) => w.ready)), deadline]);
    for (const w of started) w.child.stdin.end('go\n');
    return await Promise.race([Promise.all(started.map((w) => w.finished)), deadline]);
  } finally {
    clearTimeout(timer);
    for (const w of started) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  }
}

export function defineProjectStoreContract(name: string, factory: StoreFactory): void {
  describe(`project store contract: ${name}`, () => {
    let location: StoreLocation;
    let clock: ManualClock;
    let store: ProjectStore;
    const others: ProjectStore[] = [];
    /** Another store on the same location (another connection), sharing the test's clock. */
    const another = (): ProjectStore => {
      const s = location.open({ clock, policy: POLICY });
      others.push(s);
      return s;
    };
    const add = (name: string, extra: { priority?: number; dependencies?: number[]; maxAttempts?: number } = {}) =>
      store.features.create({
        category: 'core',
        name,
        description: `${name} works`,
        steps: [`check ${name}`],
        ...extra,
      });
    const typesSince = (cursor: number): EventType[] =>
      store.events
        .since(cursor, 10_000)
        .map((e) => (e.type === 'unknown' ? (`?${e.storedType}` as EventType) : e.type));
    /** Claims feature `id` (it must be the next ready one). */
    const claim = (id: number, owner = 'run/ses_a'): Claim => {
      const got = store.claims.claimFeature(id, owner);
      return got.claim;
    };

    beforeEach(() => {
      location = factory.create();
      clock = new ManualClock();
      store = location.open({ clock, policy: POLICY });
    });

    afterEach(() => {
      for (const s of others.splice(0)) s.close();
      store.close();
      location.dispose();
    });

    describe('claims and leases', () => {
      it('claims in order (priority, then most unblocked, then id), only features whose dependencies pass, and nothing when none is ready', () => {
        const a = add('a', { priority: 1 });
        const b = add('b', { priority: 1 });
        const c = add('c', { priority: 1, dependencies: [b.id] });
        const d = add('d', { priority: 0, dependencies: [a.id] });
        const e = add('e', { priority: 2, dependencies: [b.id] }); // b unblocks two features, a one: b goes first
        expect(store.features.ready(10).map((f) => f.id)).toEqual([b.id, a.id]);
        expect(store.claims.claimNext('o1')?.feature.id).toBe(b.id);
        expect(store.claims.claimNext('o2')?.feature.id).toBe(a.id);
        expect(store.claims.claimNext('o3')).toBeNull(); // c and e wait for b, d for a
        expect(store.features.readyCount()).toBe(0);
        expect(store.features.blocked(10).features.map((f) => [f.id, f.blockedBy])).toEqual([
          [c.id, [b.id]],
          [d.id, [a.id]],
          [e.id, [b.id]],
        ]);
      });

      it('a claim records its holder, epoch, attempt and lease, and appends feature.claimed in the same write', () => {
        const f = add('a');
        const cursor = store.events.lastId();
        const got = store.claims.claimNext('run_1/ses_1');
        expect(got?.claim).toMatchObject({ featureId: f.id, epoch: 1, owner: 'run_1/ses_1' });
        expect(got?.claim.token).toMatch(/^[0-9a-f]{32}$/);
        expect(store.features.get(f.id)).toMatchObject({
          status: 'in_progress',
          claimedBy: 'run_1/ses_1',
          claimEpoch: 1,
          attempts: 1,
          leaseExpiresAt: clock.current + POLICY.leaseMs,
          startedAt: clock.current,
        });
        const [event] = store.events.since(cursor, 10);
        expect(event).toMatchObject({
          type: 'feature.claimed',
          featureId: f.id,
          sessionId: 'run_1/ses_1',
          payload: { epoch: 1, attempt: 1 },
        });
      });

      it('several stores on one location claiming in turn never hand out a feature twice', () => {
        for (let i = 0; i < 30; i++) add(`f${i}`);
        const stores = [store, another(), another()];
        const claimed: number[] = [];
        for (let turn = 0; ; turn++) {
          const next = stores[turn % stores.length]!.claims.claimNext(`owner-${turn % stores.length}`);
          if (next === null) break;
          claimed.push(next.feature.id);
        }
        expect(claimed).toHaveLength(30);
        expect(new Set(claimed).size).toBe(30);
      });

      it(
        `${factory.race.workers} processes claiming at once from ${factory.race.features} features: every feature exactly once, and the store agrees`,
        { timeout: factory.race.timeoutMs + 30_000 },
        async () => {
          for (let start = 0; start < factory.race.features; start += 500) {
            const n = Math.min(500, factory.race.features - start);
            store.features.createBulk(
              Array.from({ length: n }, (_, i) => ({
                category: 'race',
                name: `feature ${start + i}`,
                description: 'd',
                steps: ['s'],
              })),
            );
          }
          const reports = await race(location, factory.race.workers, factory.race.timeoutMs);
          const all = reports.flatMap((r) => r.claims);
          expect(all).toHaveLength(factory.race.features);
          expect(new Set(all.map((c) => c.id)).size).toBe(factory.race.features);
          expect(all.filter((c) => c.epoch !== 1)).toEqual([]);
          const shares = reports.map((r) => r.claims.length);
          expect(shares.filter((n) => n > 0).length, `claims per worker: ${shares.join(', ')}`).toBeGreaterThan(1);

          const owner = new Map(reports.flatMap((r) => r.claims.map((c) => [c.id, r.owner] as const)));
          const features = store.features.list();
          expect(
            features
              .filter(
                (f) =>
                  f.status !== 'in_progress' ||
                  f.claimEpoch !== 1 ||
                  f.attempts !== 1 ||
                  f.claimedBy !== owner.get(f.id),
              )
              .map((f) => f.id),
          ).toEqual([]);
          expect(
            store.events.since(0, factory.race.features * 2).filter((e) => e.type === 'feature.claimed'),
          ).toHaveLength(factory.race.features);
          expect(store.claims.claimNext('late-comer')).toBeNull();
        },
      );

      it('a heartbeat extends the lease; an expired lease is reaped (the attempt counts) and its old holder can neither heartbeat nor finish', () => {
        const f = add('a', { maxAttempts: 2 });
        const held = claim(f.id);
        clock.advance(POLICY.leaseMs - 1);
        expect(store.claims.heartbeat(held)).toBe(true);
        expect(store.features.get(f.id).leaseExpiresAt).toBe(clock.current + POLICY.leaseMs);
        clock.advance(POLICY.leaseMs - 1);
        expect(store.claims.reapExpired()).toEqual([]);
        clock.advance(2);
        const cursor = store.events.lastId();
        expect(another().claims.reapExpired()).toEqual([f.id]);
        expect(store.features.get(f.id)).toMatchObject({
          status: 'pending',
          attempts: 1,
          claimedBy: null,
          leaseExpiresAt: null,
        });
        expect(store.events.since(cursor, 10)).toMatchObject([
          { type: 'feature.lease_expired', featureId: f.id, payload: { status: 'pending' } },
        ]);
        expect(store.claims.holds(held)).toBe(false);
        expect(store.claims.heartbeat(held)).toBe(false);
        expect(thrown(() => store.claims.markPassing(held)).code).toBe('CLAIM_LOST');
        // The second attempt's lease expires too: no attempts left, so it fails for good.
        const again = claim(f.id, 'run/ses_b');
        expect(again.epoch).toBe(2);
        clock.advance(POLICY.leaseMs + 1);
        expect(store.claims.reapExpired()).toEqual([f.id]);
        expect(store.features.get(f.id)).toMatchObject({ status: 'failed', attempts: 2 });
      });

      it('settles a claim: failing backs off then fails for good, release refunds the attempt, skip goes to the back with its blocker', () => {
        const f = add('a', { maxAttempts: 2 });
        const g = add('b');
        const c = add('c', { priority: 5 });
        const first = claim(f.id);
        expect(store.claims.markFailing(first, 'tests fail')).toMatchObject({
          status: 'pending',
          attempts: 1,
          runAfter: clock.current + POLICY.backoffBaseMs,
        });
        expect(store.features.ready(10).map((x) => x.id)).toEqual([g.id, c.id]); // f backs off until runAfter
        clock.advance(POLICY.backoffBaseMs);
        const second = claim(f.id);
        const failed = store.claims.markFailing(second, 'still failing');
        expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
        expect(failed.notes).toMatch(/attempt 2\/2 failed: still failing/);

        const held = claim(g.id);
        expect(store.claims.release(held, 'draining')).toMatchObject({
          status: 'pending',
          attempts: 0,
          claimedBy: null,
        });
        const again = claim(g.id);
        const skipped = store.claims.skip(again, 'needs an API key', 'credentials');
        expect(skipped).toMatchObject({
          status: 'pending',
          priority: 6,
          skipCount: 1,
          blockerType: 'credentials',
          blockerNote: 'needs an API key',
        });
        expect(typesSince(0).filter((t) => t !== 'feature.created')).toEqual([
          'feature.claimed',
          'feature.failed',
          'feature.claimed',
          'feature.failed',
          'feature.claimed',
          'feature.released',
          'feature.claimed',
          'feature.skipped',
        ]);
      });

      it('frees every claim of a dead run (by owner prefix) and refunds their attempts', () => {
        const [a, b, c] = [add('a'), add('b'), add('c')];
        claim(a.id, 'run_dead/ses_1');
        claim(b.id, 'run_dead/ses_2');
        claim(c.id, 'run_live/ses_3');
        expect(store.claims.releaseOwnedBy('run_dead/', 'recovered').sort()).toEqual([a.id, b.id]);
        expect(store.features.list().map((f) => [f.id, f.status, f.attempts])).toEqual([
          [a.id, 'pending', 0],
          [b.id, 'pending', 0],
          [c.id, 'in_progress', 1],
        ]);
      });

      it('lists passing features for re-verification, or only those main may have broken since they were last seen', () => {
        const [a, b, c] = [add('a'), add('b'), add('c')];
        const unseen = (limit = 10) =>
          store.features.forRegression(limit, { unseenSinceLastLanding: true }).map((f) => f.id);
        store.claims.markPassing(claim(a.id));
        clock.advance(10);
        store.claims.markPassing(claim(b.id));
        // b landed last: a was passing before main moved, b was seen on main as it is.
        expect(unseen()).toEqual([a.id]);
        clock.advance(10);
        store.claims.recordVerified(a.id, 'ses_t');
        expect(unseen()).toEqual([]);
        // Without the option: every passing feature, the longest unchecked first.
        expect(store.features.forRegression(10).map((f) => f.id)).toEqual([b.id, a.id]);
        clock.advance(10);
        store.claims.markPassing(claim(c.id));
        // c moved main: a and b could be broken now, the longest unchecked first.
        expect(unseen()).toEqual([b.id, a.id]);
        expect(unseen(1)).toEqual([b.id]);
      });

      it('a pass the merge queue rebased says so on its feature.passed event; without a verification it is not verified', () => {
        const [a, b] = [add('a'), add('b')];
        const from = store.events.lastId();
        expect(store.claims.markPassing(claim(a.id), undefined, { rebased: true })).toMatchObject({
          status: 'passing',
          verificationId: null,
        });
        store.claims.markPassing(claim(b.id));
        expect(
          store.events
            .since(from, 100)
            .filter((e) => e.type === 'feature.passed')
            .map((e) => [e.featureId, e.payload]),
        ).toEqual([
          [a.id, { status: 'passing', rebased: true }],
          [b.id, { status: 'passing' }],
        ]);
      });

      it('records a landing under the claim; passing clears it and keeps evidence; a regression re-opens a passing feature', () => {
        const f = add('a');
        const held = claim(f.id);
        expect(store.claims.recordLanding(held, 'abc123')).toBe(true);
        expect(store.features.get(f.id).landingCommit).toBe('abc123');
        const passed = store.claims.markPassing(held, { text: 'all green' });
        expect(passed).toMatchObject({
          status: 'passing',
          landingCommit: null,
          passedAt: clock.current,
          evidence: [{ text: 'all green' }],
        });
        expect(store.claims.recordLanding(held, 'def456')).toBe(false);
        clock.advance(10);
        expect(store.claims.recordVerified(f.id, 'ses_t').lastVerifiedAt).toBe(clock.current);
        const regressed = store.claims.regress(f.id, 'the form no longer saves', 'ses_t', { text: 'screenshot' });
        expect(regressed).toMatchObject({ status: 'pending', attempts: 0, passedAt: null });
        expect(regressed.evidence).toEqual([{ text: 'all green' }, { text: 'screenshot' }]);
        expect(thrown(() => store.claims.regress(f.id, 'again', null)).code).toBe('CONFLICT');
      });
    });

    describe('transitions', () => {
      /** Everything a refused write could have touched. */
      const state = () => ({ features: store.features.list(), lastEvent: store.events.lastId() });

      it('moves a feature only along the lifecycle, each move with its event and the status it left the feature in', () => {
        const f = add('a');
        const cursor = store.events.lastId();
        const c1 = claim(f.id);
        store.claims.markPassing(c1);
        store.features.reopen(f.id, 'looks wrong');
        const c2 = claim(f.id);
        store.humanInput.request(c2, {
          kind: 'questions',
          prompt: 'Which colour?',
          fields: [{ id: 'q1', label: 'Which colour?', type: 'select', required: true, options: ['red', 'blue'] }],
        });
        const [request] = store.humanInput.list();
        store.humanInput.cancel(request!.id, 'never mind');
        const events = store.events.since(cursor, 100);
        expect(events.map((e) => [e.type, (e.payload as { status?: FeatureStatus }).status])).toEqual([
          ['feature.claimed', undefined],
          ['feature.passed', 'passing'],
          ['feature.reopened', 'pending'],
          ['feature.claimed', undefined],
          ['feature.needs_input', 'needs_input'],
          ['feature.input_cancelled', 'pending'],
        ]);
      });

      it.each(['passing', 'failed', 'needs_input'] as const)(
        'refuses to claim a %s feature with INVALID_TRANSITION naming both states, writing nothing',
        (status) => {
          const f = add('a', { maxAttempts: 1 });
          const held = claim(f.id);
          if (status === 'passing') store.claims.markPassing(held);
          if (status === 'failed') store.claims.markFailing(held, 'broken');
          if (status === 'needs_input')
            store.humanInput.request(held, {
              kind: 'fields',
              prompt: 'Key?',
              fields: [{ id: 'key', label: 'Key', type: 'secret', required: true }],
            });
          expect(store.features.get(f.id).status).toBe(status);
          const before = state();
          const err = thrown(() => store.claims.claimFeature(f.id, 'someone'));
          expect(err.code).toBe('INVALID_TRANSITION');
          expect(err.message).toContain(`'${status}'`);
          expect(err.message).toContain("'in_progress'");
          expect(err.details).toMatchObject({ featureId: f.id, from: status, to: 'in_progress' });
          expect(state()).toEqual(before);
        },
      );

      it('refuses actions that do not fit the status (retry, reopen, edit, delete), writing nothing', () => {
        const f = add('a');
        const held = claim(f.id);
        const before = state();
        expect(thrown(() => store.features.retry(f.id)).code).toBe('CONFLICT');
        expect(thrown(() => store.features.reopen(f.id)).code).toBe('CONFLICT');
        expect(thrown(() => store.features.update(f.id, { name: 'b' })).code).toBe('CONFLICT');
        expect(thrown(() => store.features.delete(f.id)).code).toBe('CONFLICT');
        expect(thrown(() => store.features.humanSkip(f.id, null)).code).toBe('CONFLICT');
        expect(state()).toEqual(before);
        store.claims.markPassing(held);
        expect(thrown(() => store.features.retry(f.id)).code).toBe('CONFLICT');
        expect(store.features.reopen(f.id).status).toBe('pending');
      });

      it('a human retry gives a failed feature fresh attempts', () => {
        const f = add('a', { maxAttempts: 1 });
        store.claims.markFailing(claim(f.id), 'broken');
        expect(store.features.retry(f.id)).toMatchObject({ status: 'pending', attempts: 0, runAfter: 0 });
        expect(store.features.stats()).toMatchObject({ total: 1, pending: 1, failed: 0 });
      });

      it('counts every status', () => {
        const ids = FEATURE_STATUSES.map((s) => add(s, { maxAttempts: 1 }).id);
        store.claims.claimFeature(ids[1]!, 'x');
        store.claims.markPassing(store.claims.claimFeature(ids[3]!, 'x').claim);
        store.claims.markFailing(store.claims.claimFeature(ids[4]!, 'x').claim, 'no');
        store.humanInput.request(store.claims.claimFeature(ids[2]!, 'x').claim, {
          kind: 'fields',
          prompt: 'p',
          fields: [{ id: 'a', label: 'A', type: 'text', required: true }],
        });
        expect(store.features.stats()).toEqual({
          total: 5,
          pending: 1,
          in_progress: 1,
          needs_input: 1,
          passing: 1,
          failed: 1,
          percentage: 20,
        });
      });
    });

    describe('events', () => {
      const tick = (n: number): NewEvent => ({
        type: 'settings.updated',
        at: clock.current,
        payload: { keys: [`k${n}`] },
      });

      it('appends in order and pages with a cursor: no gaps, no repeats', () => {
        const ids = Array.from({ length: 25 }, (_, i) => store.events.append(tick(i)));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(store.events.lastId()).toBe(ids[24]);
        const seen: number[] = [];
        for (let cursor = 0; ;) {
          const page = store.events.since(cursor, 7);
          if (page.length === 0) break;
          seen.push(...page.map((e) => e.id));
          cursor = page.at(-1)!.id;
        }
        expect(seen).toEqual(ids);
        expect(store.events.since(ids[24]!, 10)).toEqual([]);
        expect(store.events.since(ids[9]!, 1)).toMatchObject([
          {
            id: ids[10],
            type: 'settings.updated',
            payload: { keys: ['k10'] },
            runId: null,
            sessionId: null,
            featureId: null,
            slot: null,
          },
        ]);
      });

      it('the newest events by type, session and upper bound, newest first', () => {
        const log = (sessionId: string, text: string): number =>
          store.events.append({
            type: 'session.log',
            at: clock.current,
            sessionId,
            slot: 0,
            payload: { kind: 'text', text },
          });
        const a1 = log('s1', 'one');
        store.events.append(tick(1));
        const b1 = log('s2', 'two');
        const a2 = log('s1', 'three');
        expect(store.events.latest({ types: ['session.log'], limit: 10 }).map((e) => e.id)).toEqual([a2, b1, a1]);
        expect(store.events.latest({ types: ['session.log'], sessionId: 's1', limit: 1 }).map((e) => e.id)).toEqual([
          a2,
        ]);
        expect(
          store.events.latest({ types: ['session.log', 'session.started'], upTo: b1, limit: 10 }).map((e) => e.id),
        ).toEqual([b1, a1]);
        expect(store.events.latest({ limit: 2 }).map((e) => e.id)).toEqual([a2, b1]);
      });

      it('every event of some types, oldest first, an unreadable row of such a type as unknown', () => {
        const log = (text: string): number =>
          store.events.append({ type: 'session.log', at: clock.current, payload: { kind: 'text', text } });
        const t1 = store.events.append(tick(1));
        const l1 = log('one');
        const broken = location.writeRawEvent('settings.updated', { keys: 'not a list' });
        const t2 = store.events.append(tick(2));
        log('two');
        expect(store.events.ofTypes(['settings.updated']).map((e) => [e.id, e.type])).toEqual([
          [t1, 'settings.updated'],
          [broken, 'unknown'],
          [t2, 'settings.updated'],
        ]);
        expect(store.events.ofTypes(['session.log', 'settings.updated']).map((e) => e.id)[1]).toBe(l1);
        expect(store.events.ofTypes(['session.log', 'settings.updated'])).toHaveLength(5);
        expect(store.events.ofTypes(['feature.passed'])).toEqual([]);
        expect(store.events.ofTypes([])).toEqual([]);
      });

      it('refuses an event that is not in the catalogue, and a batch with one such event writes none of it', () => {
        const before = store.events.lastId();
        const bad = { type: 'feature.passed', at: 1, payload: { status: 'done' } } as unknown as NewEvent;
        expect(thrown(() => store.events.append(bad)).code).toBe('INTERNAL');
        expect(
          thrown(() => store.events.append({ type: 'no.such', at: 1, payload: {} } as unknown as NewEvent)).code,
        ).toBe('INTERNAL');
        expect(thrown(() => store.events.appendAll([tick(1), bad])).code).toBe('INTERNAL');
        expect(store.events.lastId()).toBe(before);
      });

      it('reads a row it cannot read as an unknown event, with its stored type, payload and why', () => {
        const newer = location.writeRawEvent('review.finding', { severity: 'warning' });
        const broken = location.writeRawEvent('feature.passed', { status: 'done' });
        const fine = store.events.append(tick(1));
        const [a, b, c] = store.events.since(newer - 1, 10);
        expect(a).toMatchObject({
          id: newer,
          type: 'unknown',
          storedType: 'review.finding',
          payload: { severity: 'warning' },
          problem: '"review.finding" is not an event type this version of autocoder knows',
        });
        expect(b).toMatchObject({
          id: broken,
          type: 'unknown',
          storedType: 'feature.passed',
          payload: { status: 'done' },
        });
        expect(b?.type === 'unknown' && b.problem).toMatch(/^its payload does not match "feature\.passed": status: /);
        expect(c).toMatchObject({ id: fine, type: 'settings.updated' });
      });

      it('the change mark moves when this store or another one writes, and only then', () => {
        const mark = store.events.changeMark();
        expect(store.events.changeMark()).toBe(mark);
        store.events.append(tick(1));
        const afterOwn = store.events.changeMark();
        expect(afterOwn).not.toBe(mark);
        another().events.append(tick(2));
        expect(store.events.changeMark()).not.toBe(afterOwn);
      });
    });

    describe('human input', () => {
      const fields = [
        { id: 'stripe_key', label: 'Stripe key', type: 'secret' as const, required: true },
        { id: 'currency', label: 'Currency', type: 'select' as const, required: true, options: ['EUR', 'USD'] },
      ];

      it('asking moves the held feature to needs_input (claim cleared, attempt refunded); answering puts it back first in line', () => {
        const f = add('checkout', { priority: 3 });
        add('other', { priority: 1 });
        const held = claim(f.id);
        const asked = store.humanInput.request(held, { kind: 'fields', prompt: 'Payment setup', fields });
        expect(asked.request).toMatchObject({
          featureId: f.id,
          featureName: 'checkout',
          status: 'open',
          kind: 'fields',
          prompt: 'Payment setup',
          sessionId: held.owner,
        });
        expect(asked.feature).toMatchObject({
          status: 'needs_input',
          claimedBy: null,
          attempts: 0,
          blockerType: 'credentials',
          blockerNote: 'Payment setup',
        });
        expect(store.claims.holds(held)).toBe(false);
        expect(store.humanInput.openFor(f.id)?.id).toBe(asked.request.id);
        expect(store.humanInput.list().map((r) => r.id)).toEqual([asked.request.id]);

        const answered = store.humanInput.answer(asked.request.id, {
          values: { currency: 'EUR' },
          secretKeys: { stripe_key: 'STRIPE_KEY' },
          by: 'human',
        });
        expect(answered.request).toMatchObject({
          status: 'answered',
          answeredBy: 'human',
          answer: { currency: 'EUR' },
          secretKeys: { stripe_key: 'STRIPE_KEY' },
          answeredAt: clock.current,
        });
        expect(answered.feature).toMatchObject({ status: 'pending', priority: 0, blockerType: null });
        expect(answered.feature.notes).toContain('currency = "EUR"');
        expect(store.humanInput.secretKeys()).toEqual(['STRIPE_KEY']);
        expect(store.claims.claimNext('next')?.feature.id).toBe(f.id);
        expect(store.humanInput.list()).toEqual([]);
        expect(store.humanInput.list({ status: 'all' }).map((r) => r.status)).toEqual(['answered']);
      });

      it('a second answer, or a cancel after it, is a conflict that changes nothing; an unknown request is NOT_FOUND', () => {
        const f = add('a');
        const { request } = store.humanInput.request(claim(f.id), { kind: 'fields', prompt: 'p', fields });
        store.humanInput.cancel(request.id, 'not needed', 'human');
        const before = {
          features: store.features.list(),
          requests: store.humanInput.list({ status: 'all' }),
          last: store.events.lastId(),
        };
        expect(
          thrown(() => store.humanInput.answer(request.id, { values: {}, secretKeys: {}, by: 'human' })).code,
        ).toBe('CONFLICT');
        expect(thrown(() => store.humanInput.cancel(request.id, null)).code).toBe('CONFLICT');
        expect({
          features: store.features.list(),
          requests: store.humanInput.list({ status: 'all' }),
          last: store.events.lastId(),
        }).toEqual(before);
        expect(thrown(() => store.humanInput.get('hir_000000000000')).code).toBe('NOT_FOUND');
      });

      it("a human overrides the supervisor's answer: a new answered request points back, and the feature re-opens", () => {
        const f = add('a');
        const { request } = store.humanInput.request(claim(f.id), { kind: 'fields', prompt: 'p', fields });
        store.humanInput.answer(request.id, {
          values: { currency: 'USD' },
          secretKeys: { stripe_key: 'STRIPE_KEY' },
          by: 'supervisor',
          reasons: { currency: 'most users' },
          placeholderKeys: ['STRIPE_KEY'],
        });
        store.claims.markPassing(claim(f.id));
        expect(store.humanInput.overridable(request.id).reasons).toEqual({ currency: 'most users' });
        const { request: override, feature } = store.humanInput.override(request.id, {
          values: { currency: 'EUR' },
          secretKeys: { stripe_key: 'STRIPE_KEY' },
        });
        expect(override).toMatchObject({
          status: 'answered',
          answeredBy: 'human',
          overrides: request.id,
          answer: { currency: 'EUR' },
        });
        expect(store.humanInput.get(request.id).overriddenBy).toBe(override.id);
        expect(feature).toMatchObject({ status: 'pending', attempts: 0, passedAt: null });
        expect(typesSince(0).at(-1)).toBe('feature.input_overridden');
        expect(thrown(() => store.humanInput.override(request.id, { values: {}, secretKeys: {} })).code).toBe(
          'CONFLICT',
        );
      });

      it('refuses asking without the claim', () => {
        const f = add('a');
        const held = claim(f.id);
        store.claims.release(held);
        expect(thrown(() => store.humanInput.request(held, { kind: 'fields', prompt: 'p', fields })).code).toBe(
          'CLAIM_LOST',
        );
        expect(store.humanInput.list({ status: 'all' })).toEqual([]);
      });
    });

    describe('acceptance checks', () => {
      const checks: AcceptanceCheck[] = [
        { kind: 'command', run: 'npm test', expect: { stdoutIncludes: 'ok' } },
        { kind: 'http', method: 'GET', path: '/api/todos', expect: { status: 200 } },
      ];
      const sha = (c: unknown) => createHash('sha256').update(canonicalJson(c)).digest('hex');
      const withChecks = (name: string, acceptance: AcceptanceCheck[] = checks) =>
        store.features.create({ category: 'core', name, description: `${name} works`, steps: ['s'], acceptance });

      it('stores checks with the sha256 of their canonical JSON (defaults applied); a feature without checks has none', () => {
        // Key order and a default left out do not change the hash: it is taken over the checks as validated.
        const f = withChecks('a', [
          { expect: { stdoutIncludes: 'ok' }, run: 'npm test', kind: 'command' },
          { kind: 'http', path: '/api/todos', expect: { status: 200 } } as AcceptanceCheck,
        ]);
        expect(f.acceptance).toEqual(checks);
        expect(f.acceptanceHash).toBe(sha(checks));
        expect(f.verificationId).toBeNull();
        expect(add('plain')).toMatchObject({ acceptance: null, acceptanceHash: null });
        const { created } = store.features.createBulk([
          { category: 'bulk', name: 'x', description: 'x', steps: ['s'], acceptance: [checks[0] as AcceptanceCheck] },
          { category: 'bulk', name: 'y', description: 'y', steps: ['s'] },
        ]);
        expect(created.map((c) => c.acceptanceHash)).toEqual([sha([checks[0]]), null]);
        expect(store.features.get(f.id).acceptance).toEqual(checks);
      });

      it('refuses invalid checks naming the item, the check and the field, and writes nothing', () => {
        const before = { features: store.features.list(), last: store.events.lastId() };
        const bad = [checks[0], { kind: 'http', path: 'api/todos' }] as AcceptanceCheck[];
        const err = thrown(() =>
          store.features.createBulk([
            { category: 'c', name: 'ok', description: 'd', steps: ['s'], acceptance: checks },
            { category: 'c', name: 'bad', description: 'd', steps: ['s'], acceptance: bad },
          ]),
        );
        expect(err.code).toBe('INVALID_INPUT');
        expect(err.message).toContain('features[1].acceptance[1].path: must be a path on the app');
        expect(thrown(() => withChecks('none', [])).message).toContain('give at least one acceptance check');
        expect({ features: store.features.list(), last: store.events.lastId() }).toEqual(before);
      });

      describe('disputes', () => {
        const proposed: AcceptanceCheck[] = [{ kind: 'command', run: 'npm test -- todos', expect: { exitCode: 0 } }];

        it('disputing hands the held feature over as a human-input request; accepting replaces the checks, first in line', () => {
          const f = withChecks('todos');
          add('other', { priority: -5 });
          const held = claim(f.id);
          const opened = store.disputes.open(held, { reason: 'the test name is wrong', proposed });
          expect(opened.dispute).toMatchObject({
            featureId: f.id,
            featureName: 'todos',
            sessionId: held.owner,
            requestId: opened.request.id,
            reason: 'the test name is wrong',
            proposed,
            previous: checks,
            status: 'open',
            hashBefore: sha(checks),
            hashAfter: null,
            decidedAt: null,
          });
          expect(opened.request).toMatchObject({ status: 'open', disputeId: opened.dispute.id, featureId: f.id });
          expect(opened.request.fields.map((x) => x.id)).toEqual(['decision', 'reason']);
          // The Inbox, `autocoder inbox` and the supervisor see what is proposed.
          expect(opened.request.prompt).toContain('the test name is wrong');
          expect(opened.request.prompt).toContain('"run":"npm test -- todos"');
          expect(opened.feature).toMatchObject({ status: 'needs_input', claimedBy: null, attempts: 0 });
          expect(store.claims.holds(held)).toBe(false);
          expect(store.humanInput.openFor(f.id)?.disputeId).toBe(opened.dispute.id);
          expect(store.disputes.list().map((d) => d.id)).toEqual([opened.dispute.id]);
          expect(typesSince(0).slice(-2)).toEqual(['feature.needs_input', 'acceptance.disputed']);

          clock.advance(5);
          const decided = store.disputes.decide(opened.dispute.id, {
            accept: true,
            by: 'human',
            reason: 'right, it was renamed',
          });
          expect(decided.dispute).toMatchObject({
            status: 'accepted',
            decidedBy: 'human',
            decisionReason: 'right, it was renamed',
            hashBefore: sha(checks),
            hashAfter: sha(proposed),
            decidedAt: clock.current,
            previous: checks,
          });
          expect(decided.feature).toMatchObject({
            status: 'pending',
            acceptance: proposed,
            acceptanceHash: sha(proposed),
          });
          expect(decided.feature.priority).toBeLessThan(-5);
          expect(decided.feature.notes).toContain(`acceptance dispute ${opened.dispute.id} accepted by a human`);
          expect(store.humanInput.get(opened.request.id)).toMatchObject({
            status: 'answered',
            answeredBy: 'human',
            answer: { decision: 'accept', reason: 'right, it was renamed' },
          });
          expect(typesSince(0).slice(-2)).toEqual(['feature.input_answered', 'acceptance.decided']);
          expect(store.disputes.list()).toEqual([]);
          expect(store.disputes.list({ status: 'all', featureId: f.id }).map((d) => d.status)).toEqual(['accepted']);
          expect(store.claims.claimNext('next')?.feature.id).toBe(f.id);
        });

        it('rejecting keeps the checks; a second decision, an override or a cancel after it changes nothing', () => {
          const f = withChecks('a');
          const { dispute, request } = store.disputes.open(claim(f.id), { reason: 'too strict', proposed });
          const decided = store.disputes.decide(dispute.id, {
            accept: false,
            by: 'supervisor',
            reason: 'the spec asks for it',
          });
          expect(decided.dispute).toMatchObject({
            status: 'rejected',
            decidedBy: 'supervisor',
            hashAfter: sha(checks),
          });
          expect(decided.feature).toMatchObject({ status: 'pending', acceptance: checks, acceptanceHash: sha(checks) });
          expect(decided.feature.notes).toContain('rejected by the supervisor');
          const before = {
            features: store.features.list(),
            disputes: store.disputes.list({ status: 'all' }),
            last: store.events.lastId(),
          };
          expect(
            thrown(() => store.disputes.decide(dispute.id, { accept: true, by: 'human', reason: null })).code,
          ).toBe('CONFLICT');
          expect(
            thrown(() =>
              store.humanInput.answer(request.id, { values: { decision: 'accept' }, secretKeys: {}, by: 'human' }),
            ).code,
          ).toBe('CONFLICT');
          expect(thrown(() => store.humanInput.cancel(request.id, null)).code).toBe('CONFLICT');
          expect(thrown(() => store.humanInput.overridable(request.id)).code).toBe('CONFLICT');
          expect({
            features: store.features.list(),
            disputes: store.disputes.list({ status: 'all' }),
            last: store.events.lastId(),
          }).toEqual(before);
          expect(thrown(() => store.disputes.get('dsp_000000000000')).code).toBe('NOT_FOUND');
        });

        it('answering or cancelling the request decides the dispute (the Inbox and the supervisor go through it)', () => {
          const a = withChecks('a');
          const b = add('b');
          const first = store.disputes.open(claim(a.id), { reason: 'wrong port', proposed });
          const second = store.disputes.open(claim(b.id), { reason: 'it has no checks', proposed });
          expect(second.dispute).toMatchObject({ previous: null, hashBefore: null });
          expect(
            thrown(() =>
              store.humanInput.answer(first.request.id, { values: { decision: 'maybe' }, secretKeys: {}, by: 'human' }),
            ).code,
          ).toBe('INVALID_INPUT');
          const answered = store.humanInput.answer(first.request.id, {
            values: { decision: 'accept' },
            secretKeys: {},
            by: 'supervisor',
            reasons: { decision: 'the spec says port 3000' },
          });
          expect(answered.request).toMatchObject({ status: 'answered', answeredBy: 'supervisor' });
          expect(store.disputes.get(first.dispute.id)).toMatchObject({
            status: 'accepted',
            decidedBy: 'supervisor',
            decisionReason: 'the spec says port 3000',
          });
          expect(store.features.get(a.id).acceptanceHash).toBe(sha(proposed));
          const cancelled = store.humanInput.cancel(second.request.id, 'ask again with real checks');
          expect(cancelled.feature).toMatchObject({ status: 'pending', acceptance: null });
          expect(store.disputes.get(second.dispute.id)).toMatchObject({
            status: 'rejected',
            decidedBy: 'human',
            decisionReason: 'ask again with real checks',
          });
          expect(store.disputes.forRequest(second.request.id)?.id).toBe(second.dispute.id);
          expect(store.disputes.list({ status: 'all' }).map((d) => d.id)).toEqual([
            second.dispute.id,
            first.dispute.id,
          ]);
        });

        it('refuses a dispute without the claim, or proposing the very checks in force, writing nothing', () => {
          const f = withChecks('a');
          const held = claim(f.id);
          expect(thrown(() => store.disputes.open(held, { reason: 'same', proposed: checks })).code).toBe(
            'INVALID_INPUT',
          );
          expect(
            thrown(() =>
              store.disputes.open(held, {
                reason: 'bad',
                proposed: [{ kind: 'http', path: 'x' }] as AcceptanceCheck[],
              }),
            ).message,
          ).toContain('proposed[0].path');
          store.claims.release(held);
          const before = { features: store.features.list(), last: store.events.lastId() };
          expect(thrown(() => store.disputes.open(held, { reason: 'late', proposed })).code).toBe('CLAIM_LOST');
          expect({ features: store.features.list(), last: store.events.lastId() }).toEqual(before);
          expect(store.disputes.list({ status: 'all' })).toEqual([]);
          expect(store.humanInput.list({ status: 'all' })).toEqual([]);
        });
      });

      describe('verifications', () => {
        const run = (featureId: number, id: string, at: number, over: Partial<Verification> = {}): Verification => ({
          id,
          featureId,
          commit: 'abc123',
          trigger: 'landing',
          status: 'running',
          sessionId: 'ses_a',
          startedAt: at,
          endedAt: null,
          evidenceDir: `.autocoder/evidence/feature-${featureId}/${id}`,
          checks: [],
          error: null,
          ...over,
        });
        const result = (featureId: number, passed: boolean) => ({
          featureId,
          index: 0,
          kind: 'command' as const,
          name: null,
          passed,
          durationMs: 12,
          output: passed ? 'ok' : 'FAIL',
          failure: passed ? null : 'exit code 1',
          evidence: passed ? ['1-after.png'] : [],
        });

        it('records a start, the checks as they finish, and the end, each end once, with events', () => {
          const f = withChecks('a');
          const started = store.verifications.start(run(f.id, 'ver_1', 1_000));
          expect(started).toMatchObject({ id: 'ver_1', status: 'running', endedAt: null, checks: [] });
          expect(store.verifications.progress(run(f.id, 'ver_1', 1_000, { checks: [result(f.id, true)] }))).toBe(true);
          expect(store.verifications.get('ver_1').checks).toHaveLength(1);
          const done = store.verifications.finish(
            run(f.id, 'ver_1', 1_000, {
              status: 'failed',
              endedAt: 2_000,
              checks: [result(f.id, true), result(f.id, false)],
            }),
          );
          expect(done).toMatchObject({
            status: 'failed',
            endedAt: 2_000,
            commit: 'abc123',
            trigger: 'landing',
            sessionId: 'ses_a',
          });
          expect(done.checks.map((c) => c.passed)).toEqual([true, false]);
          expect(typesSince(0).slice(-2)).toEqual(['verification.started', 'verification.finished']);
          const finished = store.events.latest({ types: ['verification.finished'], limit: 1 })[0];
          expect(finished).toMatchObject({
            featureId: f.id,
            payload: { verificationId: 'ver_1', verdict: 'failed', checks: 2, passed: 1, error: null },
          });
          // A finished verification never changes again.
          const before = { row: store.verifications.get('ver_1'), last: store.events.lastId() };
          expect(store.verifications.progress(run(f.id, 'ver_1', 1_000, { checks: [] }))).toBe(false);
          expect(
            thrown(() => store.verifications.finish(run(f.id, 'ver_1', 1_000, { status: 'passed', endedAt: 3_000 })))
              .code,
          ).toBe('CONFLICT');
          expect(thrown(() => store.verifications.start(run(f.id, 'ver_1', 1_000))).code).toBe('CONFLICT');
          expect({ row: store.verifications.get('ver_1'), last: store.events.lastId() }).toEqual(before);
        });

        it('refuses a start that is not running, of an unknown feature, and an end never started', () => {
          const f = withChecks('a');
          expect(
            thrown(() => store.verifications.start(run(f.id, 'ver_x', 1, { status: 'passed', endedAt: 2 }))).code,
          ).toBe('INVALID_INPUT');
          expect(thrown(() => store.verifications.start(run(9_999, 'ver_y', 1))).code).toBe('NOT_FOUND');
          expect(thrown(() => store.verifications.start(run(f.id, '../up', 1))).code).toBe('INVALID_INPUT');
          expect(
            thrown(() => store.verifications.finish(run(f.id, 'ver_z', 1, { status: 'error', endedAt: 2, error: 'x' })))
              .code,
          ).toBe('NOT_FOUND');
          expect(thrown(() => store.verifications.get('ver_z')).code).toBe('NOT_FOUND');
          expect(store.verifications.list(f.id)).toEqual([]);
        });

        it('lists newest first, gives the newest per feature, and counts passing features whose last verification passed', () => {
          const a = withChecks('a');
          const b = withChecks('b');
          const c = withChecks('c');
          const finish = (v: Verification, status: 'passed' | 'failed' | 'error', end: number) => {
            store.verifications.start(v);
            return store.verifications.finish({
              ...v,
              status,
              endedAt: end,
              checks: [result(v.featureId, status === 'passed')],
            });
          };
          finish(run(a.id, 'ver_a1', 10), 'failed', 11);
          const landed = finish(run(a.id, 'ver_a2', 20), 'passed', 21);
          finish(run(b.id, 'ver_b1', 15), 'passed', 16);
          finish(run(c.id, 'ver_c1', 30), 'passed', 31);
          expect(store.verifications.list(a.id).map((v) => v.id)).toEqual(['ver_a2', 'ver_a1']);
          expect([...store.verifications.latest().entries()].map(([id, v]) => [id, v.id]).sort()).toEqual(
            [
              [a.id, 'ver_a2'],
              [b.id, 'ver_b1'],
              [c.id, 'ver_c1'],
            ].sort(),
          );
          expect([...store.verifications.latest([b.id]).keys()]).toEqual([b.id]);

          // A pass links the verification that let it land; only a passed one of the same feature will do.
          const held = claim(a.id);
          const before = { features: store.features.list(), last: store.events.lastId() };
          expect(thrown(() => store.claims.markPassing(held, undefined, { verificationId: 'ver_b1' })).code).toBe(
            'CONFLICT',
          );
          expect(thrown(() => store.claims.markPassing(held, undefined, { verificationId: 'ver_a1' })).code).toBe(
            'CONFLICT',
          );
          expect(thrown(() => store.claims.markPassing(held, undefined, { verificationId: 'ver_none' })).code).toBe(
            'CONFLICT',
          );
          expect({ features: store.features.list(), last: store.events.lastId() }).toEqual(before);
          expect(store.claims.markPassing(held, { text: 'ok' }, { verificationId: landed.id })).toMatchObject({
            status: 'passing',
            verificationId: 'ver_a2',
          });
          store.claims.markPassing(claim(b.id));
          expect(store.features.get(b.id).verificationId).toBeNull();
          // a and b pass with a passed last verification; c passed its checks but is not passing.
          expect(store.verifications.verifiedCount()).toBe(2);
          // A running regression check leaves the count alone; a failed one takes the feature out of it.
          store.verifications.start(run(b.id, 'ver_b2', 40, { trigger: 'regression' }));
          expect(store.verifications.verifiedCount()).toBe(2);
          expect(store.verifications.latest([b.id]).get(b.id)?.status).toBe('running');
          store.verifications.finish(run(b.id, 'ver_b2', 40, { trigger: 'regression', status: 'failed', endedAt: 41 }));
          expect(store.verifications.verifiedCount()).toBe(1);
          expect(store.claims.regress(a.id, 'broke', null).verificationId).toBeNull();
          expect(store.verifications.verifiedCount()).toBe(0);
        });
      });
    });

    describe('sessions and runs', () => {
      const usage = {
        turns: 4,
        inputTokens: 1000,
        outputTokens: 201,
        cacheReadTokens: 10,
        cacheCreationTokens: 0,
        costUsd: 0.5,
      };

      it('records a run and its sessions; usage is split between the features a session worked on', () => {
        const [a, b] = [add('a'), add('b')];
        const run = store.runs.start({
          id: 'run_1',
          pid: 4242,
          host: 'box',
          incarnation: 'inc',
          settings: { concurrency: 2 },
        });
        expect(run).toMatchObject({
          id: 'run_1',
          status: 'running',
          pid: 4242,
          startedAt: clock.current,
          settings: { concurrency: 2 },
        });
        store.sessions.start({
          id: 'ses_1',
          runId: 'run_1',
          slot: 1,
          role: 'testing',
          featureIds: [a.id, b.id],
          model: 'm',
          transcriptPath: '/t/ses_1.jsonl',
        });
        clock.advance(5);
        store.sessions.start({
          id: 'ses_2',
          runId: 'run_1',
          slot: 0,
          role: 'coding',
          featureIds: [b.id],
          model: null,
          transcriptPath: '/t/ses_2.jsonl',
        });
        expect(store.sessions.running('run_1')).toEqual([
          { slot: 0, sessionId: 'ses_2', role: 'coding', featureId: b.id, featureName: 'b', startedAt: clock.current },
          {
            slot: 1,
            sessionId: 'ses_1',
            role: 'testing',
            featureId: a.id,
            featureName: 'a',
            startedAt: clock.current - 5,
          },
        ]);
        const ended = store.sessions.end('ses_1', { status: 'succeeded', outcome: 'success', usage, error: null });
        expect(ended).toMatchObject({
          status: 'succeeded',
          outcome: 'success',
          endedAt: clock.current,
          turns: 4,
          costUsd: 0.5,
        });
        expect(store.features.get(a.id)).toMatchObject({ inputTokens: 500, outputTokens: 101, costUsd: 0.25 });
        expect(store.sessions.costOfRun('run_1')).toBe(0.5);
        expect(store.sessions.costOfRun('run_none')).toBe(0);
        expect(store.sessions.list({ featureId: a.id }).map((s) => s.id)).toEqual(['ses_1']);
        expect(store.sessions.list({ runId: 'run_1' }).map((s) => s.id)).toEqual(['ses_1', 'ses_2']);
        expect(store.sessions.abortRunning(['run_1'], 'the runner died')).toBe(1);
        expect(store.sessions.get('ses_2')).toMatchObject({
          status: 'aborted',
          outcome: 'aborted',
          error: 'the runner died',
        });
        expect(store.sessions.running('run_1')).toEqual([]);
        expect(store.sessions.get('ses_none')).toBeUndefined();
      });

      it('run states and ends, each with its event; the active ones, the latest, and the latest of a process', () => {
        const cursor = store.events.lastId();
        store.runs.start({ id: 'run_1', pid: 7, host: 'box', incarnation: 'i1', settings: {} });
        store.runs.setStatus('run_1', 'draining');
        store.runs.setStatus('run_1', 'paused');
        store.runs.end('run_1', 'finished', 'All 3 features pass.', { stopped: false });
        clock.advance(1);
        store.runs.start({ id: 'run_2', pid: 8, host: 'box', incarnation: 'i2', settings: {} });
        clock.advance(1);
        store.runs.start({ id: 'run_3', pid: 7, host: 'box', incarnation: 'i3', settings: {} });
        store.runs.end('run_3', 'crashed', 'the runner process died', { released: [4, 5] });
        expect(store.events.since(cursor, 20).map((e) => [e.type, e.runId])).toEqual([
          ['run.started', 'run_1'],
          ['run.draining', 'run_1'],
          ['run.paused', 'run_1'],
          ['run.finished', 'run_1'],
          ['run.started', 'run_2'],
          ['run.started', 'run_3'],
          ['run.crashed', 'run_3'],
        ]);
        expect(store.events.latest({ types: ['run.crashed'], limit: 1 })[0]?.payload).toEqual({
          reason: 'the runner process died',
          released: [4, 5],
        });
        expect(store.runs.get('run_1')).toMatchObject({
          status: 'finished',
          endReason: 'All 3 features pass.',
          endedAt: clock.current - 2,
        });
        expect(store.runs.active().map((r) => r.id)).toEqual(['run_2']);
        expect(store.runs.latest()?.id).toBe('run_3');
        expect(store.runs.latestOfPid(7)?.id).toBe('run_3');
        expect(store.runs.latestOfPid(9)).toBeUndefined();
        expect(store.runs.list().map((r) => [r.id, r.status])).toEqual([
          ['run_1', 'finished'],
          ['run_2', 'running'],
          ['run_3', 'crashed'],
        ]);
      });

      it('a pause or stop asked of a run through the store is kept with it until withdrawn; an ended run takes none', () => {
        const cursor = store.events.lastId();
        store.runs.start({ id: 'run_c', pid: 7, host: 'elsewhere', incarnation: 'ic', settings: {} });
        expect(store.runs.get('run_c')?.control).toBeNull();
        expect(store.runs.requestControl('run_c', 'pause')).toBe(true);
        expect(store.runs.get('run_c')?.control).toBe('pause');
        expect(store.runs.requestControl('run_c', null)).toBe(true);
        expect(store.runs.get('run_c')?.control).toBeNull();
        expect(store.runs.requestControl('run_c', 'stop')).toBe(true);
        store.runs.end('run_c', 'finished', 'Stopped.', { stopped: true });
        expect(store.runs.requestControl('run_c', 'pause')).toBe(false);
        expect(store.runs.requestControl('run_nope', 'stop')).toBe(false);
        expect(
          store.events
            .since(cursor, 20)
            .filter((e) => e.type === 'run.control')
            .map((e) => e.payload),
        ).toEqual([{ control: 'pause' }, { control: null }, { control: 'stop' }]);
      });

      it('a run ends with its outcome, the backlog it was derived from and its sessions summed cost, all at once', () => {
        store.runs.start({ id: 'run_o', pid: 7, host: 'box', incarnation: 'io', settings: {} });
        expect(store.runs.get('run_o')).toMatchObject({
          outcome: null,
          featuresPassing: null,
          featuresTotal: null,
          costUsd: null,
        });
        const usage = { turns: 1, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 };
        for (const [id, cost] of [
          ['ses_o1', 0.25],
          ['ses_o2', 0.5],
        ] as const) {
          store.sessions.start({
            id,
            runId: 'run_o',
            slot: 0,
            role: 'coding',
            featureIds: [],
            model: null,
            transcriptPath: '/t/o.jsonl',
          });
          store.sessions.end(id, {
            status: 'succeeded',
            outcome: 'success',
            usage: { ...usage, costUsd: cost },
            error: null,
          });
        }
        store.runs.end('run_o', 'finished', 'Nothing can proceed: 2/3 pass; 1 wait for a human answer.', {
          stopped: false,
          outcome: 'input',
          counts: { passing: 2, total: 3 },
        });
        expect(store.runs.get('run_o')).toMatchObject({
          status: 'finished',
          outcome: 'input',
          featuresPassing: 2,
          featuresTotal: 3,
          costUsd: 0.75,
        });
        // A crash recovery knows no backlog: the outcome alone, the cost still summed (zero without sessions).
        store.runs.start({ id: 'run_c', pid: 8, host: 'box', incarnation: 'ic', settings: {} });
        store.runs.end('run_c', 'crashed', 'the runner process died', { outcome: 'crashed' });
        expect(store.runs.get('run_c')).toMatchObject({ outcome: 'crashed', featuresTotal: null, costUsd: 0 });
      });
    });

    describe('budget reservations', () => {
      const limits = (runUsd: number | null, featureUsd: number | null = null, dailyUsd: number | null = null) => ({
        runUsd,
        featureUsd,
        dailyUsd,
      });
      const request = (id: string, over: Partial<Parameters<ProjectStore['budget']['reserve']>[0]> = {}) => ({
        id,
        runId: 'run_1',
        featureId: null,
        role: 'coding',
        limits: limits(1),
        dayStart: 0,
        minUsd: 0.1,
        ...over,
      });
      const session = (id: string, runId: string, role: string, costUsd: number, featureIds: number[] = []) => {
        if (!store.runs.get(runId))
          store.runs.start({ id: runId, pid: 1, host: 'box', incarnation: 'inc', settings: {} });
        store.sessions.start({ id, runId, slot: 0, role, featureIds, model: null, transcriptPath: `/t/${id}` });
        store.sessions.end(id, {
          status: 'succeeded',
          outcome: 'success',
          usage: { turns: 1, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd },
          error: null,
        });
      };

      it('reserves what is left of the run budget, holds it until settled, and counts recorded costs', () => {
        const first = store.budget.reserve(request('bud_1'));
        expect(first).toEqual({ ok: true, id: 'bud_1', amountUsd: 1 });
        expect(store.budget.use({ runId: 'run_1' })).toEqual({ spentUsd: 0, reservedUsd: 1 });
        // Everything is held: the next session of the run is refused, and says which budget and how much is left.
        expect(store.budget.reserve(request('bud_2'))).toEqual({ ok: false, scope: 'run', leftUsd: 0, limitUsd: 1 });
        session('ses_1', 'run_1', 'coding', 0.3);
        expect(store.budget.settle('bud_1', 0.3)).toBe(true);
        expect(store.budget.settle('bud_1', 0.3)).toBe(false);
        expect(store.budget.use({ runId: 'run_1' })).toEqual({ spentUsd: 0.3, reservedUsd: 0 });
        const second = store.budget.reserve(request('bud_3'));
        expect(second.ok && second.amountUsd).toBeCloseTo(0.7, 10);
      });

      it('refuses when less than the minimum is left, and holds nothing then', () => {
        session('ses_1', 'run_1', 'coding', 0.95);
        expect(store.budget.reserve(request('bud_1'))).toMatchObject({ ok: false, scope: 'run' });
        expect(store.budget.use({ runId: 'run_1' }).reservedUsd).toBe(0);
        // Another run has a budget of its own.
        expect(store.budget.reserve(request('bud_2', { runId: 'run_2' }))).toEqual({
          ok: true,
          id: 'bud_2',
          amountUsd: 1,
        });
      });

      it("takes the tightest of the run's, the feature's and the day's budget", () => {
        const f = add('a');
        session('ses_old', 'run_0', 'coding', 2, [f.id]);
        clock.advance(1_000);
        const dayStart = clock.current;
        session('ses_today', 'run_0', 'coding', 1);
        let n = 0;
        const got = (l: ReturnType<typeof limits>) =>
          store.budget.reserve(request(`bud_${(n += 1)}`, { featureId: f.id, limits: l, dayStart }));
        // The feature has used 2 of 2.5; the day 1 of 5; the run nothing of 10.
        const a = got(limits(10, 2.5, 5));
        expect(a.ok && a.amountUsd).toBeCloseTo(0.5, 10);
        expect(got(limits(10, 2.5, 5))).toMatchObject({ ok: false, scope: 'feature', leftUsd: 0, limitUsd: 2.5 });
        // A reservation made today counts against the day, too, until it is settled.
        expect(got(limits(10, null, 1.5))).toMatchObject({ ok: false, scope: 'day', leftUsd: 0 });
        store.budget.settle('bud_1', 0);
        const day = got(limits(10, null, 1.5));
        expect(day.ok && day.amountUsd).toBeCloseTo(0.5, 10);
        expect(got(limits(null, null, 1.5))).toMatchObject({ ok: false, scope: 'day' });
        expect(store.budget.use({ featureId: f.id })).toEqual({ spentUsd: 2, reservedUsd: 0.5 });
      });

      it('holds a share of what is left when asked (room for other slots), never less than the minimum', () => {
        const half = store.budget.reserve(request('bud_1', { share: 0.5 }));
        expect(half).toEqual({ ok: true, id: 'bud_1', amountUsd: 0.5 });
        const quarter = store.budget.reserve(request('bud_2', { share: 0.5 }));
        expect(quarter).toEqual({ ok: true, id: 'bud_2', amountUsd: 0.25 });
        // Half of 0.25 is below the minimum of 0.2: the minimum is held.
        const floor = store.budget.reserve(request('bud_3', { share: 0.5, minUsd: 0.2 }));
        expect(floor).toEqual({ ok: true, id: 'bud_3', amountUsd: 0.2 });
      });

      it('a session inside another (alongside its hold) is not refused for that hold; the others still count', () => {
        const f = add('a');
        const coding = store.budget.reserve(request('bud_1', { featureId: f.id, limits: limits(1, 0.8) }));
        expect(coding).toEqual({ ok: true, id: 'bud_1', amountUsd: 0.8 });
        // Without `alongside`, the verifier inside that coding session would find nothing left.
        expect(store.budget.reserve(request('bud_2', { featureId: f.id, limits: limits(1, 0.8) }))).toMatchObject({
          ok: false,
          scope: 'feature',
        });
        const verifier = store.budget.reserve(
          request('bud_3', { featureId: f.id, limits: limits(1, 0.8), alongside: 'bud_1', share: 0.5 }),
        );
        expect(verifier.ok && verifier.amountUsd).toBeCloseTo(0.4, 10);
        // Other holds still count; a settled outer hold frees nothing more.
        store.budget.settle('bud_1', 0);
        store.budget.settle('bud_3', 0);
        expect(store.budget.reserve(request('bud_4', { share: 0.1 }))).toEqual({
          ok: true,
          id: 'bud_4',
          amountUsd: 0.1,
        });
        const later = store.budget.reserve(request('bud_5', { alongside: 'bud_1' }));
        expect(later.ok && later.amountUsd).toBeCloseTo(0.9, 10);
      });

      it("releasing a run's holds frees them (a run that died or ended); other runs keep theirs", () => {
        store.budget.reserve(request('bud_1', { share: 0.5 }));
        store.budget.reserve(request('bud_2', { runId: 'run_2' }));
        expect(store.budget.releaseRun('run_1')).toBe(1);
        expect(store.budget.releaseRun('run_1')).toBe(0);
        expect(store.budget.use({ runId: 'run_1' }).reservedUsd).toBe(0);
        expect(store.budget.use({ runId: 'run_2' }).reservedUsd).toBe(1);
      });

      it('holds nothing back when no budget is set', () => {
        expect(store.budget.reserve(request('bud_1', { limits: limits(null) }))).toEqual({
          ok: true,
          id: 'bud_1',
          amountUsd: null,
        });
        expect(store.budget.use({ runId: 'run_1' }).reservedUsd).toBe(0);
      });

      it('the median cost of a role, over its ended sessions that cost anything', () => {
        expect(store.budget.medianCost('coding')).toBeNull();
        session('s1', 'r', 'coding', 0.2);
        session('s2', 'r', 'coding', 0.6);
        session('s3', 'r', 'coding', 0.4);
        session('s4', 'r', 'testing', 5);
        session('s5', 'r', 'coding', 0);
        expect(store.budget.medianCost('coding')).toBeCloseTo(0.4, 10);
        session('s6', 'r', 'coding', 1);
        expect(store.budget.medianCost('coding')).toBeCloseTo(0.5, 10);
      });

      it('two connections: what one holds the other sees at once', () => {
        const other = another();
        expect(store.budget.reserve(request('bud_1', { limits: limits(1), minUsd: 0.1 }))).toMatchObject({ ok: true });
        expect(other.budget.reserve(request('bud_2', { limits: limits(1), minUsd: 0.1 }))).toMatchObject({ ok: false });
        other.budget.settle('bud_1', 0);
        expect(store.budget.reserve(request('bud_3', { limits: limits(1), minUsd: 0.1 }))).toMatchObject({
          ok: true,
          amountUsd: 1,
        });
      });

      it(
        `${factory.race.workers} processes reserving the last dollars at once: exactly one gets them`,
        async () => {
          const reports = await race(location, factory.race.workers, factory.race.timeoutMs, ['reserve', '1', '0.1']);
          const won = reports.filter((r) => typeof r.reserved === 'number');
          expect(won).toHaveLength(1);
          expect(won[0]?.reserved).toBe(1);
          expect(reports.filter((r) => r.reserved === null)).toHaveLength(factory.race.workers - 1);
          expect(store.budget.use({ runId: 'run_race' })).toEqual({ spentUsd: 0, reservedUsd: 1 });
        },
        factory.race.timeoutMs,
      );
    });

    describe('checkpoints and findings', () => {
      const begin = (over: Partial<NewCheckpoint> = {}) =>
        store.checkpoints.start({
          runId: null,
          trigger: 'interval',
          commit: 'c1',
          previousCommit: null,
          agents: ['code', 'security', 'performance'],
          passing: 2,
          ...over,
        });
      const end = (n: number, reviewed: CheckpointAgent[] = ['code', 'security', 'performance'], costUsd = 0.25) =>
        store.checkpoints.finish(n, { status: 'finished', costUsd, error: null, reviewed });
      const report = (over: Partial<FindingReport> = {}): FindingReport => ({
        agent: 'security',
        source: 'agent',
        severity: 'critical',
        category: 'xss',
        title: 'Unescaped note title in the list',
        detail: 'The note title is rendered with innerHTML.',
        file: 'src/list.ts',
        line: 12,
        ...over,
      });
      const fix = (title: string) => ({ category: 'fix', name: `Fix: ${title}`, description: 'd', steps: ['s'] });
      /** Claims and lands feature `id`. */
      const pass = (id: number) => store.claims.markPassing(claim(id));

      it('numbers checkpoints 1, 2, 3 and runs one at a time, with its start event', () => {
        const cursor = store.events.lastId();
        const first = begin({ runId: 'run_1' });
        expect(first).toMatchObject({
          n: 1,
          runId: 'run_1',
          trigger: 'interval',
          commit: 'c1',
          previousCommit: null,
          agents: ['code', 'security', 'performance'],
          status: 'running',
          startedAt: clock.current,
          endedAt: null,
          passing: 2,
          costUsd: 0,
          facts: [],
          reviews: [],
          counts: { critical: 0, major: 0, minor: 0, info: 0 },
          newFindings: 0,
          resolvedFindings: 0,
          fixFeatureIds: [],
          reportPath: null,
          error: null,
        });
        expect(store.checkpoints.running()?.n).toBe(1);
        const second = thrown(() => begin({ commit: 'c2' }));
        expect(second.code).toBe('CONFLICT');
        expect(second.message).toContain('checkpoint 1 is still running');
        expect(store.checkpoints.latestFinished()).toBeUndefined();
        clock.advance(1_000);
        end(1);
        expect(store.checkpoints.running()).toBeUndefined();
        expect(store.checkpoints.latestFinished()?.n).toBe(1);
        expect(begin({ commit: 'c2', previousCommit: 'c1', trigger: 'manual', agents: ['code'] })).toMatchObject({
          n: 2,
          previousCommit: 'c1',
          trigger: 'manual',
          agents: ['code'],
        });
        expect(store.checkpoints.list().map((c) => [c.n, c.status])).toEqual([
          [1, 'finished'],
          [2, 'running'],
        ]);
        expect(store.events.since(cursor, 10).map((e) => [e.type, e.runId, e.payload])).toEqual([
          [
            'checkpoint.started',
            'run_1',
            { n: 1, trigger: 'interval', commit: 'c1', agents: ['code', 'security', 'performance'] },
          ],
          [
            'checkpoint.finished',
            'run_1',
            {
              n: 1,
              status: 'finished',
              counts: { critical: 0, major: 0, minor: 0, info: 0 },
              newFindings: 0,
              resolvedFindings: 0,
              fixFeatureIds: [],
              costUsd: 0.25,
            },
          ],
          ['checkpoint.started', null, { n: 2, trigger: 'manual', commit: 'c2', agents: ['code'] }],
        ]);
        expect(thrown(() => store.checkpoints.get(9)).code).toBe('NOT_FOUND');
        // Another connection sees the running one and is refused too.
        expect(thrown(() => another().checkpoints.start({ ...first, commit: 'c3' })).code).toBe('CONFLICT');
      });

      it('keeps the tool facts, the reviews (one per agent, replaced) and the report path', () => {
        const { n } = begin();
        const fact: ToolFact = {
          kind: 'lint',
          command: 'npx eslint .',
          status: 'failed',
          exitCode: 1,
          durationMs: 900,
          summary: '3 errors in 2 files',
          output: 'x',
          figures: { errors: 3 },
          findings: [],
        };
        store.checkpoints.recordFacts(n, [fact]);
        store.checkpoints.recordReview(n, {
          agent: 'code',
          sessionId: 'ses_1',
          status: 'running',
          summary: null,
          findings: 0,
        });
        store.checkpoints.recordReview(n, {
          agent: 'security',
          sessionId: 'ses_2',
          status: 'failed',
          summary: null,
          findings: 0,
        });
        store.checkpoints.recordReview(n, {
          agent: 'code',
          sessionId: 'ses_1',
          status: 'finished',
          summary: 'Tidy.',
          findings: 2,
        });
        store.checkpoints.setReportPath(n, '.autocoder/checkpoints/checkpoint-1.md');
        expect(store.checkpoints.get(n)).toMatchObject({
          facts: [fact],
          reviews: [
            { agent: 'security', status: 'failed' },
            { agent: 'code', status: 'finished', summary: 'Tidy.', findings: 2 },
          ],
          reportPath: '.autocoder/checkpoints/checkpoint-1.md',
        });
        expect(() => store.checkpoints.recordFacts(n, [{ ...fact, kind: 'nope' as 'lint' }])).toThrow();
        expect(thrown(() => store.checkpoints.recordFacts(7, [])).code).toBe('NOT_FOUND');
      });

      it('the same problem seen again is one finding: seen count, first and last checkpoint, one sighting each', () => {
        const one = begin();
        const first = store.checkpoints.see(one.n, report());
        expect(first.isNew).toBe(true);
        expect(first.finding).toMatchObject({
          agent: 'security',
          source: 'agent',
          severity: 'critical',
          status: 'open',
          file: 'src/list.ts',
          line: 12,
          firstCheckpoint: 1,
          lastCheckpoint: 1,
          seenCount: 1,
          fixFeatureId: null,
          resolvedIn: null,
          dismissedReason: null,
        });
        expect(first.finding.id).toMatch(/^fnd_/);
        // Seen twice in one checkpoint (another reviewer, a tool): still one sighting.
        const twice = store.checkpoints.see(one.n, report({ line: 14 }));
        expect(twice).toMatchObject({ isNew: false, finding: { id: first.finding.id, seenCount: 1, line: 14 } });
        expect(store.checkpoints.get(one.n).counts).toEqual({ critical: 1, major: 0, minor: 0, info: 0 });
        clock.advance(10);
        end(one.n);
        const two = begin({ commit: 'c2' });
        clock.advance(10);
        // Reworded (case, quotes, numbers), moved, downgraded: the same finding, its severity updated.
        const again = store.checkpoints.see(
          two.n,
          report({ title: "unescaped NOTE title in the 'list'", line: 40, severity: 'major' }),
        );
        expect(again.isNew).toBe(false);
        expect(again.finding).toMatchObject({
          id: first.finding.id,
          severity: 'major',
          line: 40,
          firstCheckpoint: 1,
          lastCheckpoint: 2,
          seenCount: 2,
          status: 'open',
        });
        expect(store.checkpoints.sightings(first.finding.id)).toEqual([
          { checkpoint: 1, severity: 'critical', at: clock.current - 20 },
          { checkpoint: 2, severity: 'major', at: clock.current },
        ]);
        expect(store.checkpoints.get(two.n)).toMatchObject({
          counts: { critical: 0, major: 1, minor: 0, info: 0 },
          newFindings: 0,
        });
        expect(store.checkpoints.get(one.n)).toMatchObject({
          counts: { critical: 1, major: 0, minor: 0, info: 0 },
          newFindings: 1,
        });
        // Evidence and a suggested fix the newer report leaves out are kept; given again, they are replaced.
        store.checkpoints.see(two.n, report({ evidence: 'el.innerHTML = title', suggestedFix: 'Use textContent' }));
        expect(store.checkpoints.see(two.n, report()).finding).toMatchObject({
          evidence: 'el.innerHTML = title',
          suggestedFix: 'Use textContent',
        });
        expect(store.checkpoints.see(two.n, report({ suggestedFix: 'Escape it' })).finding.suggestedFix).toBe(
          'Escape it',
        );
        expect(thrown(() => store.checkpoints.sightings('fnd_none')).code).toBe('NOT_FOUND');
        expect(thrown(() => store.checkpoints.finding('fnd_none')).code).toBe('NOT_FOUND');
      });

      it('a different file, kind or category is a different finding; optional fields are absent when not given', () => {
        const { n } = begin();
        const a = store.checkpoints.see(n, report());
        const b = store.checkpoints.see(n, report({ file: 'src/edit.ts' }));
        const c = store.checkpoints.see(n, report({ agent: 'code' }));
        const d = store.checkpoints.see(n, report({ category: 'csrf' }));
        const bare = store.checkpoints.see(n, {
          agent: 'performance',
          source: 'tool',
          severity: 'info',
          category: 'bundle-size',
          title: 'Bundle is 412 kB',
          detail: 'dist/app.js',
        });
        expect(new Set([a, b, c, d, bare].map((x) => x.finding.id)).size).toBe(5);
        expect([a, b, c, d, bare].every((x) => x.isNew)).toBe(true);
        expect(bare.finding).not.toHaveProperty('file');
        expect(bare.finding).not.toHaveProperty('line');
        expect(bare.finding).not.toHaveProperty('evidence');
        expect(bare.finding).not.toHaveProperty('suggestedFix');
        expect(bare.finding.source).toBe('tool');
        expect(store.checkpoints.get(n).counts).toEqual({ critical: 4, major: 0, minor: 0, info: 1 });
      });

      it('sees only in a running checkpoint', () => {
        const { n } = begin();
        end(n);
        expect(thrown(() => store.checkpoints.see(n, report())).code).toBe('CONFLICT');
        expect(thrown(() => store.checkpoints.see(5, report())).code).toBe('NOT_FOUND');
        expect(thrown(() => end(n)).code).toBe('CONFLICT');
      });

      it('finish resolves the open and fix_pending findings of the reviewed kinds it did not see, and counts them', () => {
        const one = begin();
        const gone = store.checkpoints.see(one.n, report()).finding;
        const stays = store.checkpoints.see(one.n, report({ category: 'csrf', title: 'No CSRF token' })).finding;
        const code = store.checkpoints.see(one.n, report({ agent: 'code', category: 'types', title: 'any' })).finding;
        const pending = store.checkpoints.see(one.n, report({ title: 'Open redirect', category: 'redirect' })).finding;
        const dismissed = store.checkpoints.see(one.n, report({ title: 'Weak hash', category: 'crypto' })).finding;
        const feature = store.checkpoints.createFixFeature(one.n, pending.id, fix(pending.title));
        end(one.n);
        pass(feature!.id);
        expect(store.checkpoints.fixLanded(feature!.id).map((f) => f.id)).toEqual([pending.id]);
        store.checkpoints.dismiss(dismissed.id, 'test fixture only');

        // A failed checkpoint resolves nothing.
        const failed = begin({ commit: 'c2' });
        expect(
          store.checkpoints.finish(failed.n, { status: 'failed', costUsd: 0.1, error: 'boom', reviewed: ['security'] }),
        ).toMatchObject({ resolved: [], checkpoint: { status: 'failed', error: 'boom', costUsd: 0.1 } });

        const three = begin({ commit: 'c3', agents: ['security'] });
        store.checkpoints.see(three.n, report({ category: 'csrf', title: 'No CSRF token' }));
        const cursor = store.events.lastId();
        clock.advance(5);
        const done = store.checkpoints.finish(three.n, {
          status: 'finished',
          costUsd: 1.5,
          error: null,
          reviewed: ['security'],
        });
        expect(done.resolved.map((f) => f.id).sort()).toEqual([gone.id, pending.id].sort());
        expect(done.resolved.every((f) => f.status === 'resolved' && f.resolvedIn === three.n)).toBe(true);
        expect(store.checkpoints.finding(stays.id)).toMatchObject({ status: 'open', resolvedIn: null, seenCount: 2 });
        // Another kind (not reviewed) and a dismissed finding are left alone.
        expect(store.checkpoints.finding(code.id)).toMatchObject({ status: 'open', resolvedIn: null });
        expect(store.checkpoints.finding(dismissed.id)).toMatchObject({ status: 'dismissed', resolvedIn: null });
        expect(done.checkpoint).toMatchObject({
          status: 'finished',
          endedAt: clock.current,
          costUsd: 1.5,
          counts: { critical: 1, major: 0, minor: 0, info: 0 },
          newFindings: 0,
          resolvedFindings: 2,
        });
        expect(store.events.since(cursor, 10).map((e) => [e.type, e.payload])).toEqual([
          [
            'checkpoint.finished',
            {
              n: three.n,
              status: 'finished',
              counts: { critical: 1, major: 0, minor: 0, info: 0 },
              newFindings: 0,
              resolvedFindings: 2,
              fixFeatureIds: [],
              costUsd: 1.5,
            },
          ],
        ]);
      });

      it('a resolved finding seen again opens again; a dismissed one stays dismissed; a fix that did not fix reopens', () => {
        const one = begin();
        const comesBack = store.checkpoints.see(one.n, report()).finding;
        const dismissed = store.checkpoints.see(one.n, report({ title: 'Weak hash', category: 'crypto' })).finding;
        const fixed = store.checkpoints.see(one.n, report({ title: 'Open redirect', category: 'redirect' })).finding;
        const feature = store.checkpoints.createFixFeature(one.n, fixed.id, fix(fixed.title))!;
        end(one.n);
        store.checkpoints.dismiss(dismissed.id, 'only in the test fixtures');
        const two = begin({ commit: 'c2' });
        store.checkpoints.see(two.n, report({ title: 'Weak hash', category: 'crypto' }));
        store.checkpoints.see(two.n, report({ title: 'Open redirect', category: 'redirect' }));
        end(two.n);
        expect(store.checkpoints.finding(comesBack.id)).toMatchObject({ status: 'resolved', resolvedIn: two.n });
        pass(feature.id);
        store.checkpoints.fixLanded(feature.id);
        expect(store.checkpoints.finding(fixed.id).status).toBe('fix_pending');

        const three = begin({ commit: 'c3' });
        const back = store.checkpoints.see(three.n, report());
        expect(back).toMatchObject({
          isNew: false,
          finding: { id: comesBack.id, status: 'open', resolvedIn: null, seenCount: 2, lastCheckpoint: three.n },
        });
        expect(
          store.checkpoints.see(three.n, report({ title: 'Weak hash', category: 'crypto' })).finding,
        ).toMatchObject({
          id: dismissed.id,
          status: 'dismissed',
          dismissedReason: 'only in the test fixtures',
          seenCount: 3,
        });
        // Its fix landed, yet the problem is still there: open again, and it may get another fix feature.
        const notFixed = store.checkpoints.see(three.n, report({ title: 'Open redirect', category: 'redirect' }));
        expect(notFixed.finding).toMatchObject({ id: fixed.id, status: 'open', fixFeatureId: feature.id });
        const second = store.checkpoints.createFixFeature(three.n, fixed.id, fix(fixed.title));
        expect(second).not.toBeNull();
        expect(second!.id).not.toBe(feature.id);
        expect(store.checkpoints.finding(fixed.id).fixFeatureId).toBe(second!.id);
      });

      it('a fix that lands while a checkpoint runs stays fix_pending when that checkpoint (older code) sees it', () => {
        const one = begin();
        const f = store.checkpoints.see(one.n, report()).finding;
        const feature = store.checkpoints.createFixFeature(one.n, f.id, fix(f.title))!;
        end(one.n);
        const two = begin({ commit: 'c2' });
        clock.advance(50);
        pass(feature.id);
        store.checkpoints.fixLanded(feature.id);
        expect(store.checkpoints.see(two.n, report()).finding.status).toBe('fix_pending');
        end(two.n);
        expect(store.checkpoints.finding(f.id).status).toBe('fix_pending');
        const three = begin({ commit: 'c3' });
        expect(end(three.n).resolved).toMatchObject([{ id: f.id, status: 'resolved', resolvedIn: three.n }]);
      });

      it('createFixFeature: a `fix` feature first in line, linked, one at a time, same titles told apart', () => {
        const a = add('a', { priority: 3 });
        add('b', { priority: 7 });
        const { n } = begin();
        const critical = store.checkpoints.see(n, report()).finding;
        const twin = store.checkpoints.see(n, report({ file: 'src/other.ts' })).finding;
        const created = store.checkpoints.createFixFeature(n, critical.id, fix(critical.title));
        expect(created).toMatchObject({ category: 'fix', name: `Fix: ${critical.title}`, status: 'pending' });
        expect(created!.priority).toBeLessThan(3);
        expect(store.features.ready(10)[0]?.id).toBe(created!.id);
        expect(store.checkpoints.finding(critical.id).fixFeatureId).toBe(created!.id);
        expect(store.checkpoints.get(n).fixFeatureIds).toEqual([created!.id]);
        // A second one for the same finding while the first is not passing: none.
        expect(store.checkpoints.createFixFeature(n, critical.id, fix(critical.title))).toBeNull();
        // Another finding with the same title: its own fix feature, its name told apart by the finding's id.
        const other = store.checkpoints.createFixFeature(n, twin.id, fix(twin.title));
        expect(other!.name).toBe(`Fix: ${twin.title} [${twin.id}]`);
        expect(other!.priority).toBeLessThan(created!.priority);
        expect(store.checkpoints.get(n).fixFeatureIds).toEqual([created!.id, other!.id]);
        expect(store.features.get(a.id).priority).toBe(3);
        expect(thrown(() => store.checkpoints.createFixFeature(n, 'fnd_none', fix('x'))).code).toBe('NOT_FOUND');
      });

      it("createFixFeature with alsoFor: one feature fixes several findings (a tool's), all linked at once", () => {
        const { n } = begin();
        const [x, y, z] = ['src/a.ts', 'src/b.ts', 'src/c.ts'].map(
          (file) => store.checkpoints.see(n, report({ file })).finding,
        );
        const one = store.checkpoints.createFixFeature(n, x!.id, fix('all three'), [y!.id, z!.id, x!.id]);
        expect([x, y, z].map((f) => store.checkpoints.finding(f!.id).fixFeatureId)).toEqual([
          one!.id,
          one!.id,
          one!.id,
        ]);
        expect(store.checkpoints.get(n).fixFeatureIds).toEqual([one!.id]);
        // Nothing is half-written: an unknown finding among them leaves no feature and no link.
        const w = store.checkpoints.see(n, report({ file: 'src/w.ts' })).finding;
        const before = store.features.list().length;
        expect(thrown(() => store.checkpoints.createFixFeature(n, w.id, fix('w'), ['fnd_none'])).code).toBe(
          'NOT_FOUND',
        );
        expect(store.features.list()).toHaveLength(before);
        expect(store.checkpoints.finding(w.id).fixFeatureId).toBeNull();
      });

      it('a finding whose fixes keep landing without fixing it gets a new fix feature each time', () => {
        let current = begin();
        const finding = store.checkpoints.see(current.n, report()).finding;
        const ids: number[] = [];
        for (let i = 0; i < 3; i += 1) {
          const made = store.checkpoints.createFixFeature(current.n, finding.id, fix(finding.title));
          expect(made, `fix feature ${i + 1}`).not.toBeNull();
          ids.push(made!.id);
          end(current.n);
          pass(made!.id);
          store.checkpoints.fixLanded(made!.id);
          current = begin({ commit: `c${i + 2}` });
          store.checkpoints.see(current.n, report());
        }
        expect(new Set(ids).size).toBe(3);
        expect(new Set(ids.map((id) => store.features.get(id).name)).size).toBe(3);
      });

      it('fixLanded: the open findings of that fix feature become fix_pending; others are untouched', () => {
        const { n } = begin();
        const f = store.checkpoints.see(n, report()).finding;
        const other = store.checkpoints.see(n, report({ category: 'csrf' })).finding;
        const feature = store.checkpoints.createFixFeature(n, f.id, fix(f.title))!;
        expect(store.checkpoints.fixLanded(feature.id + 100)).toEqual([]);
        const landed = store.checkpoints.fixLanded(feature.id);
        expect(landed).toMatchObject([{ id: f.id, status: 'fix_pending' }]);
        expect(store.checkpoints.finding(other.id).status).toBe('open');
        // Landing again changes nothing more.
        expect(store.checkpoints.fixLanded(feature.id)).toEqual([]);
      });

      it('dismiss: a reason is required and kept, with its event; dismissing twice is a conflict', () => {
        const { n } = begin();
        const f = store.checkpoints.see(n, report()).finding;
        const blank = thrown(() => store.checkpoints.dismiss(f.id, '   '));
        expect(blank.code).toBe('INVALID_INPUT');
        expect(blank.message).toContain('reason');
        expect(store.checkpoints.finding(f.id).status).toBe('open');
        const cursor = store.events.lastId();
        clock.advance(3);
        const dismissed = store.checkpoints.dismiss(f.id, '  escaped by the template engine  ');
        expect(dismissed).toMatchObject({
          status: 'dismissed',
          dismissedReason: 'escaped by the template engine',
          updatedAt: clock.current,
        });
        expect(store.events.since(cursor, 10).map((e) => [e.type, e.payload])).toEqual([
          ['finding.dismissed', { findingId: f.id, reason: 'escaped by the template engine' }],
        ]);
        const again = thrown(() => store.checkpoints.dismiss(f.id, 'still fine'));
        expect(again.code).toBe('CONFLICT');
        expect(again.message).toContain('escaped by the template engine');
        expect(store.checkpoints.finding(f.id).dismissedReason).toBe('escaped by the template engine');
        expect(thrown(() => store.checkpoints.dismiss('fnd_none', 'x')).code).toBe('NOT_FOUND');
      });

      it('findings(filter): by status, kind, severity, seen in a checkpoint, resolved by one; worst first', () => {
        const one = begin();
        const info = store.checkpoints.see(one.n, report({ severity: 'info', title: 'Note', category: 'n' })).finding;
        const crit = store.checkpoints.see(one.n, report()).finding;
        const perf = store.checkpoints.see(
          one.n,
          report({ agent: 'performance', severity: 'major', category: 'bundle', title: 'Big' }),
        ).finding;
        const minor = store.checkpoints.see(one.n, report({ agent: 'code', severity: 'minor', title: 'm' })).finding;
        end(one.n);
        const two = begin({ commit: 'c2', agents: ['security'] });
        store.checkpoints.see(two.n, report());
        end(two.n, ['security']);
        store.checkpoints.dismiss(minor.id, 'style only');
        const ids = (filter: Parameters<ProjectStore['checkpoints']['findings']>[0]) =>
          store.checkpoints.findings(filter).map((f) => f.id);
        expect(ids({})).toEqual([crit.id, perf.id, minor.id, info.id]);
        expect(ids(undefined)).toEqual([crit.id, perf.id, minor.id, info.id]);
        expect(ids({ status: 'open' })).toEqual([crit.id, perf.id]);
        expect(ids({ status: 'resolved' })).toEqual([info.id]);
        expect(ids({ status: 'dismissed' })).toEqual([minor.id]);
        expect(ids({ status: 'fix_pending' })).toEqual([]);
        expect(ids({ agent: 'performance' })).toEqual([perf.id]);
        expect(ids({ agent: 'security' })).toEqual([crit.id, info.id]);
        expect(ids({ severity: 'major' })).toEqual([perf.id]);
        expect(ids({ checkpoint: two.n })).toEqual([crit.id]);
        expect(ids({ checkpoint: one.n })).toEqual([crit.id, perf.id, minor.id, info.id]);
        expect(ids({ resolvedIn: two.n })).toEqual([info.id]);
        expect(ids({ resolvedIn: one.n })).toEqual([]);
        expect(ids({ status: 'open', agent: 'security', severity: 'critical', checkpoint: two.n })).toEqual([crit.id]);
      });

      it('abortRunning ends a checkpoint left running as aborted (with its event), resolving nothing', () => {
        expect(store.checkpoints.abortRunning('nothing runs')).toBe(0);
        const one = begin();
        const f = store.checkpoints.see(one.n, report()).finding;
        end(one.n);
        const two = begin({ commit: 'c2' });
        store.checkpoints.recordReview(two.n, {
          agent: 'code',
          sessionId: null,
          status: 'running',
          summary: null,
          findings: 0,
        });
        const cursor = store.events.lastId();
        expect(store.checkpoints.abortRunning('the runner died')).toBe(1);
        expect(store.checkpoints.get(two.n)).toMatchObject({ status: 'aborted', error: 'the runner died' });
        expect(store.checkpoints.finding(f.id).status).toBe('open');
        expect(store.checkpoints.running()).toBeUndefined();
        expect(store.checkpoints.latestFinished()?.n).toBe(one.n);
        expect(typesSince(cursor)).toEqual(['checkpoint.finished']);
        expect(store.checkpoints.abortRunning('again')).toBe(0);
        expect(begin({ commit: 'c3' }).n).toBe(3);
      });
    });
  });
}
