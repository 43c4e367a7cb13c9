import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SqliteProjectStore as ProjectStore } from '../../src/db/stores.js';
import { createHash } from 'node:crypto';
import { DESCRIPTIONS } from '../../src/mcp/tool-descriptions.js';
import { canonicalJson } from '../../src/shared/acceptance.js';
import { connectTools, type Json, type ToolClient } from '../support/mcp-client.js';
import { FakeClock, openTempProject, TEST_POLICY, type TempProject } from '../support/tmp.js';

// Starts real servers, git repositories or jails: slower than a unit test on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

// supervisor_answer is served to supervisor sessions only.
const ALL_TOOLS = Object.keys(DESCRIPTIONS)
  .filter((n) => n !== 'supervisor_answer')
  .sort();

interface Item {
  category?: string;
  name: string;
  description?: string;
  steps?: string[];
  priority?: number;
  depends_on_indices?: number[];
  acceptance?: unknown;
}

const sha = (c: unknown) => createHash('sha256').update(canonicalJson(c)).digest('hex');

/** The check every test feature carries unless a test says otherwise (agents' features must have checks). */
const checkOf = (name: string) => [{ kind: 'command', run: `cat features/${name}.txt` }];

const item = ({
  category = 'core',
  name,
  description = `${name} works`,
  steps = [`check ${name}`],
  acceptance = checkOf(name),
  ...rest
}: Item): Record<string, unknown> => ({
  category,
  name,
  description,
  steps,
  acceptance,
  ...rest,
});

describe('feature tools through a real MCP client', () => {
  let clock: FakeClock;
  let project: TempProject;
  let store: ProjectStore;
  let a: ToolClient;
  let clients: ToolClient[];

  const connect = async (sessionId: string): Promise<ToolClient> => {
    const c = await connectTools(store, sessionId);
    clients.push(c);
    return c;
  };

  /** Calls a tool and fails the test with the tool's own message if it reports an error. */
  const okCall = async (client: ToolClient, name: string, args: Record<string, unknown> = {}): Promise<Json> => {
    const r = await client.call(name, args);
    if (r.isError) throw new Error(`${name} failed: ${r.text}`);
    return r.json();
  };

  const bulk = async (items: Item[], client: ToolClient = a): Promise<Json> =>
    okCall(client, 'feature_create_bulk', { features: items.map(item) });
  const total = (): number => store.features.stats().total;
  /** Everything a tool could have changed, for "nothing changed" checks. */
  const snapshot = () => ({
    features: store.features.list(),
    edges: store.db.prepare('SELECT * FROM feature_dependencies ORDER BY feature_id, depends_on').all(),
  });

  beforeEach(async () => {
    clock = new FakeClock();
    project = openTempProject({ clock, policy: TEST_POLICY });
    store = project.store;
    clients = [];
    a = await connect('session-a');
  });

  afterEach(async () => {
    for (const c of clients) await c.close();
    project.cleanup();
  });

  describe('listTools', () => {
    it('lists all 21 tools, each with a description and an object input schema', async () => {
      const { tools } = await a.client.listTools();
      expect(tools).toHaveLength(21);
      expect(tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS);
      for (const tool of tools) {
        expect(tool.description, tool.name).toBe(DESCRIPTIONS[tool.name as keyof typeof DESCRIPTIONS]);
        expect(tool.inputSchema.type, tool.name).toBe('object');
        // Unknown arguments are refused, so the schema the model sees says so too.
        expect((tool.inputSchema as { additionalProperties?: unknown }).additionalProperties, tool.name).toBe(false);
      }
      const byName = new Map(tools.map((t) => [t.name, t]));
      expect(byName.get('feature_mark_passing')?.inputSchema.required).toEqual(['feature_id']);
      expect(Object.keys(byName.get('feature_create_bulk')?.inputSchema.properties ?? {})).toEqual(['features']);
      expect(Object.keys(byName.get('feature_skip')?.inputSchema.properties ?? {}).sort()).toEqual([
        'blocker_type',
        'feature_id',
        'reason',
      ]);
    });
  });

  describe('feature_create', () => {
    it('creates a feature with dependencies and returns its view', async () => {
      const first = await okCall(a, 'feature_create', item({ name: 'login' }));
      expect(first).toMatchObject({
        id: 1,
        name: 'login',
        category: 'core',
        status: 'pending',
        priority: 0,
        dependencies: [],
        attempts: 0,
        max_attempts: 3,
      });
      const second = await okCall(a, 'feature_create', {
        ...item({ name: 'logout', priority: 2 }),
        dependencies: [first.id],
      });
      expect(second).toMatchObject({ id: 2, priority: 2, dependencies: [1], steps: ['check logout'] });
      expect(store.features.get(2).dependencies).toEqual([1]);
      expect(total()).toBe(2);
    });

    it('rejects a duplicate name in the same category, but allows it in another category', async () => {
      await okCall(a, 'feature_create', item({ name: 'login' }));
      const dup = await a.call('feature_create', item({ name: 'login' }));
      expect(dup.isError).toBe(true);
      expect(dup.text).toContain('already exists');
      await okCall(a, 'feature_create', item({ category: 'admin', name: 'login' }));
      expect(total()).toBe(2);
    });

    it('writes nothing when a dependency does not exist', async () => {
      const r = await a.call('feature_create', { ...item({ name: 'orphan' }), dependencies: [42] });
      expect(r.isError).toBe(true);
      expect(r.text).toContain('42');
      expect(total()).toBe(0);
    });
  });

  describe('feature_create_bulk', () => {
    it('creates items in order and resolves depends_on_indices to the new ids', async () => {
      const res = await bulk([
        { name: 'db' },
        { name: 'api', depends_on_indices: [0] },
        { name: 'ui', depends_on_indices: [0, 1] },
      ]);
      expect(res).toEqual({ created: 3, ids: [1, 2, 3], with_dependencies: 2 });
      expect(store.features.get(2).dependencies).toEqual([1]);
      expect(store.features.get(3).dependencies).toEqual([1, 2]);
      expect(total()).toBe(3);
    });

    it('rejects items that already exist as rejected_duplicates and never re-creates them', async () => {
      const items: Item[] = [
        { name: 'db' },
        { name: 'api', depends_on_indices: [0] },
        { name: 'ui', depends_on_indices: [1] },
      ];
      await bulk(items);
      const before = snapshot();

      const again = await bulk(items);
      expect(again.created).toBe(0);
      expect(again.ids).toEqual([]);
      expect(again.rejected_duplicates).toEqual([
        { index: 0, name: 'db', existing_id: 1 },
        { index: 1, name: 'api', existing_id: 2 },
        { index: 2, name: 'ui', existing_id: 3 },
      ]);
      expect(again.note).toMatch(/not created again/);
      expect(total()).toBe(3);
      expect(snapshot()).toEqual(before);

      // A new item may depend on an existing one through its index in the batch.
      const mixed = await bulk([{ name: 'db' }, { name: 'cache', depends_on_indices: [0] }]);
      expect(mixed).toMatchObject({
        created: 1,
        ids: [4],
        with_dependencies: 1,
        rejected_duplicates: [{ index: 0, name: 'db', existing_id: 1 }],
      });
      expect(store.features.get(4).dependencies).toEqual([1]);
      expect(total()).toBe(4);
    });

    it.each([
      [
        'has a depends_on_index pointing forward',
        [{ name: 'a', depends_on_indices: [1] }, { name: 'b' }],
        'depends on index 1',
      ],
      [
        'has a depends_on_index pointing at its own item',
        [{ name: 'a' }, { name: 'b', depends_on_indices: [1] }],
        'depends on index 1',
      ],
      ['repeats a name', [{ name: 'a' }, { name: 'b' }, { name: 'a' }], 'items 0 and 2'],
    ] as [string, Item[], string][])('errors and writes nothing when the batch %s', async (_label, items, message) => {
      await bulk([{ name: 'existing' }]);
      const before = snapshot();
      const r = await a.call('feature_create_bulk', { features: items.map(item) });
      expect(r.isError).toBe(true);
      expect(r.text).toContain(message);
      expect(total()).toBe(1);
      expect(snapshot()).toEqual(before);
    });

    it('rejects an empty list and an item with extra fields', async () => {
      expect((await a.call('feature_create_bulk', { features: [] })).isError).toBe(true);
      const extra = await a.call('feature_create_bulk', { features: [{ ...item({ name: 'x' }), dependencies: [1] }] });
      expect(extra.isError).toBe(true);
      expect(total()).toBe(0);
    });
  });

  describe('acceptance checks', () => {
    const browser = {
      kind: 'browser',
      steps: [
        { goto: '/' },
        { fill: { label: 'New todo' }, value: 'milk' },
        { press: 'Enter' },
        { expectText: 'milk' },
      ],
    };
    const http = { kind: 'http', path: '/api/todos', expect: { status: 200, json: [{ title: 'milk' }] } };

    it('the schema the model sees requires checks and describes their kinds', async () => {
      const { tools } = await a.client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      const create = byName.get('feature_create')?.inputSchema as {
        properties: Record<string, unknown>;
        required: string[];
      };
      expect(create.required).toContain('acceptance');
      expect(JSON.stringify(create.properties.acceptance)).toContain('browser');
      expect(JSON.stringify(create.properties.acceptance)).toContain('stdoutIncludes');
      const dispute = byName.get('feature_dispute_acceptance')?.inputSchema as { properties: Record<string, unknown> };
      expect(Object.keys(dispute.properties).sort()).toEqual(['feature_id', 'proposed', 'reason']);
    });

    it('creates features with their checks frozen (hash of the canonical JSON); the view shows them', async () => {
      const made = await okCall(a, 'feature_create', item({ name: 'todos', acceptance: [http, browser] }));
      expect(made).toMatchObject({
        acceptance: [{ ...http, method: 'GET' }, browser],
        acceptance_hash: expect.any(String),
      });
      expect(made.acceptance_hash).toBe(sha([{ ...http, method: 'GET' }, browser]));
      expect(store.features.get(made.id).acceptanceHash).toBe(made.acceptance_hash);
      await bulk([
        { name: 'x' },
        { name: 'y', acceptance: [{ kind: 'command', run: 'npm test', expect: { exitCode: 0 } }] },
      ]);
      expect(store.features.get(3).acceptance).toEqual([{ kind: 'command', run: 'npm test', expect: { exitCode: 0 } }]);
      const claimed = await okCall(a, 'feature_claim_next');
      expect(claimed.feature.acceptance).toEqual(made.acceptance);
    });

    it('refuses a feature without checks, and names the item, the check and the field of a bad one; nothing is written', async () => {
      await bulk([{ name: 'existing' }]);
      const before = snapshot();
      const { acceptance: _none, ...bare } = item({ name: 'bare' });
      const missing = await a.call('feature_create', bare);
      expect(missing.isError).toBe(true);
      // The schema says checks are required, so the MCP layer refuses the call before the handler sees it.
      expect(missing.text).toMatch(
        /Invalid arguments for tool feature_create: .*expected array, received undefined at acceptance/,
      );
      const bad = await a.call('feature_create_bulk', {
        features: [
          item({ name: 'ok' }),
          item({ name: 'ok2' }),
          item({ name: 'ok3' }),
          item({ name: 'bad', acceptance: [http, { kind: 'http', path: 'api/todos' }] }),
        ],
      });
      expect(bad.isError).toBe(true);
      expect(bad.text).toContain('features[3].acceptance[1].path: must be a path on the app');
      const css = await a.call(
        'feature_create',
        item({ name: 'css', acceptance: [{ kind: 'browser', steps: [{ click: { css: '#save' } }] }] }),
      );
      expect(css.isError).toBe(true);
      expect(css.text).toContain('acceptance[0].steps[0].click: unknown key "css"');
      const many = await a.call(
        'feature_create',
        item({ name: 'many', acceptance: Array.from({ length: 21 }, () => http) }),
      );
      expect(many.isError).toBe(true);
      expect(many.text).toContain('acceptance:');
      const empty = await a.call('feature_create_bulk', {
        features: [item({ name: 'e' }), item({ name: 'f', acceptance: [] })],
      });
      expect(empty.text).toContain('features[1].acceptance: give at least one acceptance check');
      expect(snapshot()).toEqual(before);
    });

    it('feature_dispute_acceptance hands the held feature to a person like a question; the decision puts it back first in line', async () => {
      await bulk([{ name: 'todos', acceptance: [http] }, { name: 'other' }]);
      const held = await okCall(a, 'feature_claim_next');
      expect(held.feature.id).toBe(1);
      const proposed = [{ ...http, expect: { status: 200 } }];
      const disputed = await okCall(a, 'feature_dispute_acceptance', {
        feature_id: 1,
        reason: 'the spec lists todos without a title field',
        proposed,
      });
      expect(disputed).toMatchObject({
        feature_id: 1,
        status: 'needs_input',
        dispute_id: expect.stringMatching(/^dsp_/),
      });
      expect(disputed.next).toContain('end this session');
      // The claim left the session; the attempt does not count.
      expect(a.session.claims.size).toBe(0);
      expect(store.features.get(1)).toMatchObject({ status: 'needs_input', claimedBy: null, attempts: 0 });
      expect(store.humanInput.openFor(1)?.disputeId).toBe(disputed.dispute_id);
      expect(store.disputes.get(disputed.dispute_id)).toMatchObject({
        reason: 'the spec lists todos without a title field',
        proposed: [{ ...proposed[0], method: 'GET' }],
        hashBefore: sha([{ ...http, method: 'GET' }]),
        status: 'open',
      });
      const again = await a.call('feature_mark_passing', { feature_id: 1 });
      expect(again.isError).toBe(true);

      const { feature } = store.disputes.decide(disputed.dispute_id, {
        accept: false,
        by: 'human',
        reason: 'titles are in the spec',
      });
      expect(feature).toMatchObject({ status: 'pending', acceptanceHash: sha([{ ...http, method: 'GET' }]) });
      const next = await okCall(a, 'feature_claim_next');
      expect(next.feature).toMatchObject({ id: 1 });
      expect(next.feature.notes).toContain('rejected by a human');
      expect(next.feature.notes).toContain('titles are in the spec');
    });

    it('refuses a dispute of a feature the session does not hold, and bad proposed checks, changing nothing', async () => {
      await bulk([{ name: 'a' }, { name: 'b' }]);
      const before = snapshot();
      const notHeld = await a.call('feature_dispute_acceptance', {
        feature_id: 1,
        reason: 'wrong',
        proposed: checkOf('z'),
      });
      expect(notHeld.isError).toBe(true);
      expect(notHeld.text).toContain('claim it first');
      expect(snapshot()).toEqual(before);
      await okCall(a, 'feature_claim_next');
      const held = snapshot();
      const bad = await a.call('feature_dispute_acceptance', {
        feature_id: 1,
        reason: 'wrong',
        proposed: [{ kind: 'http', path: 'x' }],
      });
      expect(bad.isError).toBe(true);
      expect(bad.text).toContain('proposed[0].path: must be a path on the app');
      const same = await a.call('feature_dispute_acceptance', {
        feature_id: 1,
        reason: 'wrong',
        proposed: checkOf('a'),
      });
      expect(same.isError).toBe(true);
      expect(same.text).toContain('these are the frozen checks as they are');
      expect(snapshot()).toEqual(held);
      expect(a.session.claims.size).toBe(1);
      expect(store.disputes.list({ status: 'all' })).toEqual([]);
    });
  });

  describe('feature_get_stats', () => {
    it('reports an empty backlog, then counts by status with ready and blocked', async () => {
      expect(await okCall(a, 'feature_get_stats')).toEqual({
        total: 0,
        passing: 0,
        in_progress: 0,
        needs_input: 0,
        failed: 0,
        pending: 0,
        percentage: 0,
        ready: 0,
        blocked: 0,
        hint: 'the backlog is empty',
      });
      await bulk([{ name: 'a' }, { name: 'b', depends_on_indices: [0] }, { name: 'c' }, { name: 'd' }]);
      const { feature } = await okCall(a, 'feature_claim_next');
      await okCall(a, 'feature_mark_passing', { feature_id: feature.id });
      await okCall(a, 'feature_claim_next');
      expect(await okCall(a, 'feature_get_stats')).toEqual({
        total: 4,
        passing: 1,
        in_progress: 1,
        needs_input: 0,
        failed: 0,
        pending: 2,
        percentage: 25,
        ready: 2,
        blocked: 0,
      });
    });
  });

  describe('feature_get_next and feature_claim_next', () => {
    it('get_next shows the next ready feature without claiming it', async () => {
      await bulk([
        { name: 'a', priority: 3 },
        { name: 'b', priority: 1 },
      ]);
      const first = await okCall(a, 'feature_get_next');
      const second = await okCall(a, 'feature_get_next');
      expect(first).toMatchObject({ id: 2, name: 'b', status: 'pending' });
      expect(second).toEqual(first);
      expect(store.features.stats().in_progress).toBe(0);
      expect(a.session.claims.size).toBe(0);
    });

    it('claims in scheduling order: priority, then most unblocked, then id; never a feature whose dependency is not passing', async () => {
      // ids 1..8
      await bulk([
        { name: 'later', priority: 1 }, // 1
        { name: 'plain-low-id' }, // 2: unblocks 0
        { name: 'hub' }, // 3: unblocks 2
        { name: 'needs-hub-1', depends_on_indices: [2] }, // 4
        { name: 'needs-hub-2', depends_on_indices: [2] }, // 5
        { name: 'small-hub' }, // 6: unblocks 1
        { name: 'needs-small-hub', depends_on_indices: [5] }, // 7
        { name: 'plain-high-id' }, // 8: unblocks 0
      ]);
      expect((await okCall(a, 'feature_get_next')).id).toBe(3);
      const ready = await okCall(a, 'feature_get_ready', { limit: 50 });
      expect(ready.features.map((f: Json) => f.id)).toEqual([3, 6, 2, 8, 1]);

      const claimed: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await okCall(a, 'feature_claim_next');
        expect(res.claimed).toBe(true);
        expect(res.feature.status).toBe('in_progress');
        expect(res.feature.attempts).toBe(1);
        claimed.push(res.feature.id);
      }
      expect(claimed).toEqual([3, 6, 2, 8, 1]);
      expect([...a.session.claims.keys()].sort()).toEqual([1, 2, 3, 6, 8]);

      // Everything left waits for a dependency that is claimed but not passing.
      const none = await okCall(a, 'feature_claim_next');
      expect(none).toMatchObject({
        feature: null,
        reason: 'no feature is ready right now',
        in_progress: 5,
        blocked: 3,
      });
      expect(none.examples).toEqual([
        { id: 4, name: 'needs-hub-1', blocked_by: [3] },
        { id: 5, name: 'needs-hub-2', blocked_by: [3] },
        { id: 7, name: 'needs-small-hub', blocked_by: [6] },
      ]);
      expect(await okCall(a, 'feature_get_next')).toMatchObject({
        feature: null,
        reason: 'no feature is ready right now',
      });

      await okCall(a, 'feature_mark_passing', { feature_id: 3 });
      const afterHub = [
        (await okCall(a, 'feature_claim_next')).feature.id,
        (await okCall(a, 'feature_claim_next')).feature.id,
      ];
      expect(afterHub).toEqual([4, 5]);
      expect((await okCall(a, 'feature_claim_next')).feature).toBeNull();

      for (const id of [1, 2, 4, 5, 6, 8]) await okCall(a, 'feature_mark_passing', { feature_id: id });
      expect((await okCall(a, 'feature_claim_next')).feature.id).toBe(7);
      await okCall(a, 'feature_mark_passing', { feature_id: 7 });

      const done = await okCall(a, 'feature_claim_next');
      expect(done.feature).toBeNull();
      expect(done.reason).toMatch(/^all features are passing/);
      expect(store.features.stats()).toMatchObject({ total: 8, passing: 8, percentage: 100 });
    });

    it('reports an empty backlog', async () => {
      expect(await okCall(a, 'feature_claim_next')).toEqual({ feature: null, reason: 'the backlog is empty' });
    });

    it('two sessions never claim the same feature', async () => {
      const b = await connect('session-b');
      await bulk([{ name: 'x' }, { name: 'y' }]);
      const [ra, rb] = await Promise.all([okCall(a, 'feature_claim_next'), okCall(b, 'feature_claim_next')]);
      expect(new Set([ra.feature.id, rb.feature.id])).toEqual(new Set([1, 2]));
      expect(store.features.get(ra.feature.id).claimedBy).toBe('session-a');
      expect(store.features.get(rb.feature.id).claimedBy).toBe('session-b');
    });
  });

  describe('feature_get_by_id', () => {
    it('returns the full view, and an error for an unknown id', async () => {
      await bulk([{ name: 'a' }, { name: 'b', depends_on_indices: [0], steps: ['one', 'two'] }]);
      expect(await okCall(a, 'feature_get_by_id', { feature_id: 2 })).toEqual({
        id: 2,
        name: 'b',
        category: 'core',
        description: 'b works',
        steps: ['one', 'two'],
        status: 'pending',
        priority: 0,
        dependencies: [1],
        attempts: 0,
        max_attempts: 3,
        acceptance: checkOf('b'),
        acceptance_hash: sha(checkOf('b')),
        acceptance_file: '.autocoder/acceptance/feature-2.json',
      });
      const missing = await a.call('feature_get_by_id', { feature_id: 999 });
      expect(missing.isError).toBe(true);
      // The model, and only the model, is told its next step in tool names (people get the first line alone).
      expect(missing.text).toBe(
        'Error: feature #999 does not exist.\nNext: list features with feature_get_stats or feature_get_ready.',
      );
    });
  });

  describe('feature_mark_passing', () => {
    it('only the session holding the claim can mark it; evidence is stored; a second pass is refused', async () => {
      const b = await connect('session-b');
      await bulk([{ name: 'a' }]);
      const { feature } = await okCall(a, 'feature_claim_next');

      const stolen = await b.call('feature_mark_passing', { feature_id: feature.id, evidence: 'I did it' });
      expect(stolen.isError).toBe(true);
      expect(stolen.text).toContain('claimed by another session');
      expect(store.features.get(feature.id).status).toBe('in_progress');

      const passed = await okCall(a, 'feature_mark_passing', {
        feature_id: feature.id,
        evidence: 'npm test: 12 passed',
      });
      expect(passed).toMatchObject({ id: feature.id, status: 'passing' });
      expect(a.session.claims.has(feature.id)).toBe(false);
      const stored = store.features.get(feature.id);
      expect(stored.evidence).toEqual([{ by: 'session-a', text: 'npm test: 12 passed' }]);
      expect(stored.passedAt).toBe(clock.now());
      expect(stored.claimedBy).toBeNull();

      const again = await a.call('feature_mark_passing', { feature_id: feature.id });
      expect(again.isError).toBe(true);
      expect(again.text).toContain('already passing');
      const byOther = await b.call('feature_mark_passing', { feature_id: feature.id });
      expect(byOther.isError).toBe(true);
      expect(byOther.text).toContain('already passing');
    });

    it('refuses a pending feature nobody claimed', async () => {
      await bulk([{ name: 'a' }]);
      const r = await a.call('feature_mark_passing', { feature_id: 1 });
      expect(r.isError).toBe(true);
      expect(r.text).toContain('do not hold a claim');
      expect(store.features.get(1).status).toBe('pending');
    });
  });

  describe('feature_mark_failing', () => {
    it('retries until max_attempts, then the feature is failed', async () => {
      await bulk([{ name: 'flaky' }]);
      for (let attempt = 1; attempt <= 3; attempt++) {
        const { feature } = await okCall(a, 'feature_claim_next');
        expect(feature).toMatchObject({ id: 1, attempts: attempt });
        const after = await okCall(a, 'feature_mark_failing', {
          feature_id: 1,
          reason: `attempt ${attempt}: test X fails`,
        });
        expect(after.status).toBe(attempt < 3 ? 'pending' : 'failed');
        expect(after.attempts).toBe(attempt);
        expect(after.notes).toContain(`attempt ${attempt}/3 failed: attempt ${attempt}: test X fails`);
      }
      expect(store.features.get(1).status).toBe('failed');
      expect(a.session.claims.size).toBe(0);
      const none = await okCall(a, 'feature_claim_next');
      expect(none).toMatchObject({ feature: null, reason: 'no feature is ready right now', failed: 1 });
    });

    it('on a passing feature from a session without a claim, records a regression', async () => {
      const b = await connect('session-b');
      await bulk([{ name: 'search' }]);
      await okCall(a, 'feature_claim_next');
      await okCall(a, 'feature_mark_passing', { feature_id: 1, evidence: 'works' });

      const regressed = await okCall(b, 'feature_mark_failing', {
        feature_id: 1,
        reason: 'search returns nothing since the last commit',
      });
      expect(regressed).toMatchObject({ id: 1, status: 'pending', attempts: 0 });
      expect(regressed.notes).toContain('regression: search returns nothing since the last commit');
      const stored = store.features.get(1);
      expect(stored.passedAt).toBeNull();
      expect(stored.evidence).toEqual([
        { by: 'session-a', text: 'works' },
        { by: 'session-b', text: 'search returns nothing since the last commit' },
      ]);
      expect((await okCall(b, 'feature_claim_next')).feature.id).toBe(1);
    });

    it('refuses a feature claimed by another session and one nobody holds', async () => {
      const b = await connect('session-b');
      await bulk([{ name: 'x' }, { name: 'y' }]);
      await okCall(a, 'feature_claim_next');
      const other = await b.call('feature_mark_failing', { feature_id: 1, reason: 'broken' });
      expect(other.isError).toBe(true);
      expect(other.text).toContain('claimed by another session');
      const unclaimed = await b.call('feature_mark_failing', { feature_id: 2, reason: 'broken' });
      expect(unclaimed.isError).toBe(true);
      expect(unclaimed.text).toContain('do not hold a claim');
      expect(store.features.get(1)).toMatchObject({ status: 'in_progress', notes: '' });
      expect(store.features.get(2)).toMatchObject({ status: 'pending', notes: '' });
    });
  });

  describe('feature_skip', () => {
    it('moves the feature to the back of the queue with a classified blocker', async () => {
      await bulk([{ name: 'payments' }, { name: 'b', priority: 5 }, { name: 'c', priority: 2 }]);
      const { feature } = await okCall(a, 'feature_claim_next');
      expect(feature.id).toBe(1);

      const skipped = await okCall(a, 'feature_skip', { feature_id: 1, reason: 'needs a Stripe API key' });
      expect(skipped).toMatchObject({ id: 1, status: 'pending', priority: 6, blocker_note: 'needs a Stripe API key' });
      expect(['credentials', 'external_service']).toContain(skipped.blocker_type);
      expect(skipped.notes).toContain('skipped');
      const stored = store.features.get(1);
      expect(stored.skipCount).toBe(1);
      expect(stored.blockedSince).toBe(clock.now());
      expect(a.session.claims.size).toBe(0);

      const order = await okCall(a, 'feature_get_ready', { limit: 10 });
      expect(order.features.map((f: Json) => f.id)).toEqual([3, 2, 1]);
    });

    it("keeps the agent's own valid blocker class and rejects an unknown one", async () => {
      await bulk([{ name: 'a' }, { name: 'b' }]);
      await okCall(a, 'feature_claim_next');
      const bad = await a.call('feature_skip', {
        feature_id: 1,
        reason: 'needs a Stripe API key',
        blocker_type: 'weather',
      });
      expect(bad.isError).toBe(true);
      expect(store.features.get(1).status).toBe('in_progress');

      const skipped = await okCall(a, 'feature_skip', {
        feature_id: 1,
        reason: 'needs a Stripe API key',
        blocker_type: 'unclear_spec',
      });
      expect(skipped.blocker_type).toBe('unclear_spec');
      expect(store.features.get(1)).toMatchObject({ skipCount: 1, priority: 1 });
    });

    it('refuses to skip a feature the session does not hold', async () => {
      await bulk([{ name: 'a' }]);
      const r = await a.call('feature_skip', { feature_id: 1, reason: 'no time' });
      expect(r.isError).toBe(true);
      expect(store.features.get(1)).toMatchObject({ skipCount: 0, priority: 0 });
    });
  });

  describe('feature_release', () => {
    it('hands the feature back and refunds the attempt', async () => {
      await bulk([{ name: 'a' }]);
      expect((await okCall(a, 'feature_claim_next')).feature.attempts).toBe(1);
      const released = await okCall(a, 'feature_release', {
        feature_id: 1,
        note: 'stopping for the day; started the schema',
      });
      expect(released).toMatchObject({ id: 1, status: 'pending', attempts: 0 });
      expect(released.notes).toContain('released: stopping for the day; started the schema');
      expect(a.session.claims.size).toBe(0);
      const again = await a.call('feature_release', { feature_id: 1 });
      expect(again.isError).toBe(true);
      expect(store.features.get(1)).toMatchObject({ status: 'pending', attempts: 0 });
    });
  });

  describe('dependencies', () => {
    beforeEach(async () => {
      await bulk([{ name: 'one' }, { name: 'two' }, { name: 'three' }, { name: 'four' }]);
    });

    it('feature_add_dependency adds an edge and refuses cycles, self, unknown ids and duplicates', async () => {
      expect(await okCall(a, 'feature_add_dependency', { feature_id: 2, dependency_id: 1 })).toMatchObject({
        id: 2,
        dependencies: [1],
      });
      expect(await okCall(a, 'feature_add_dependency', { feature_id: 3, dependency_id: 2 })).toMatchObject({
        id: 3,
        dependencies: [2],
      });
      const before = snapshot();

      const cycle = await a.call('feature_add_dependency', { feature_id: 1, dependency_id: 3 });
      expect(cycle.isError).toBe(true);
      expect(cycle.text).toContain('→');
      expect(cycle.text).toContain('1 → 3 → 2 → 1');

      const self = await a.call('feature_add_dependency', { feature_id: 4, dependency_id: 4 });
      expect(self.isError).toBe(true);
      expect(self.text).toContain('itself');

      const unknownDep = await a.call('feature_add_dependency', { feature_id: 4, dependency_id: 99 });
      expect(unknownDep.isError).toBe(true);
      expect(unknownDep.text).toContain('99');

      const unknownFeature = await a.call('feature_add_dependency', { feature_id: 99, dependency_id: 1 });
      expect(unknownFeature.isError).toBe(true);
      expect(unknownFeature.text).toContain('does not exist');

      const dup = await a.call('feature_add_dependency', { feature_id: 2, dependency_id: 1 });
      expect(dup.isError).toBe(true);
      expect(dup.text).toContain('already depends');

      expect(snapshot()).toEqual(before);
    });

    it('feature_remove_dependency removes one edge and refuses an edge that is not there', async () => {
      await okCall(a, 'feature_set_dependencies', { feature_id: 4, dependency_ids: [1, 2, 3] });
      expect(await okCall(a, 'feature_remove_dependency', { feature_id: 4, dependency_id: 2 })).toMatchObject({
        dependencies: [1, 3],
      });
      const missing = await a.call('feature_remove_dependency', { feature_id: 4, dependency_id: 2 });
      expect(missing.isError).toBe(true);
      expect(missing.text).toContain('does not depend on 2');
      expect(store.features.get(4).dependencies).toEqual([1, 3]);
    });

    it('feature_set_dependencies replaces the list, and a cycle changes nothing', async () => {
      expect(await okCall(a, 'feature_set_dependencies', { feature_id: 1, dependency_ids: [4] })).toMatchObject({
        dependencies: [4],
      });
      await okCall(a, 'feature_set_dependencies', { feature_id: 3, dependency_ids: [1, 2] });
      const before = snapshot();

      const cycle = await a.call('feature_set_dependencies', { feature_id: 1, dependency_ids: [2, 3] });
      expect(cycle.isError).toBe(true);
      expect(cycle.text).toContain('→');
      expect(store.features.get(1).dependencies).toEqual([4]);
      expect(snapshot()).toEqual(before);

      const dupIds = await a.call('feature_set_dependencies', { feature_id: 1, dependency_ids: [2, 2] });
      expect(dupIds.isError).toBe(true);
      expect(store.features.get(1).dependencies).toEqual([4]);

      expect(await okCall(a, 'feature_set_dependencies', { feature_id: 1, dependency_ids: [] })).toMatchObject({
        dependencies: [],
      });
      expect(store.features.get(1).dependencies).toEqual([]);
    });

    it('changing dependencies changes what is ready and claimable', async () => {
      await okCall(a, 'feature_set_dependencies', { feature_id: 1, dependency_ids: [2, 3, 4] });
      const ready = await okCall(a, 'feature_get_ready');
      expect(ready.total_ready).toBe(3);
      expect(ready.features.map((f: Json) => f.id)).not.toContain(1);
    });
  });

  describe('feature_get_ready, feature_get_blocked, feature_get_graph', () => {
    it('show the ready set, the blocked set with blocked_by, and the graph', async () => {
      await bulk([
        { name: 'base' }, // 1
        { name: 'mid', depends_on_indices: [0] }, // 2
        { name: 'top', depends_on_indices: [0, 1] }, // 3
        { name: 'alone', priority: 1 }, // 4
      ]);
      const ready = await okCall(a, 'feature_get_ready', { limit: 1 });
      expect(ready).toMatchObject({ count: 1, total_ready: 2 });
      expect(ready.features.map((f: Json) => f.id)).toEqual([1]);
      expect((await okCall(a, 'feature_get_ready')).features.map((f: Json) => f.id)).toEqual([1, 4]);

      const blocked = await okCall(a, 'feature_get_blocked');
      expect(blocked).toMatchObject({ count: 2, total_blocked: 2 });
      expect(blocked.features.map((f: Json) => [f.id, f.blocked_by])).toEqual([
        [2, [1]],
        [3, [1, 2]],
      ]);
      expect((await okCall(a, 'feature_get_blocked', { limit: 1 })).features).toHaveLength(1);

      const graph = await okCall(a, 'feature_get_graph');
      expect(graph.nodes).toEqual([
        {
          id: 1,
          name: 'base',
          category: 'core',
          status: 'pending',
          priority: 0,
          dependencies: [],
          ready: true,
          blocked: false,
        },
        {
          id: 2,
          name: 'mid',
          category: 'core',
          status: 'pending',
          priority: 0,
          dependencies: [1],
          ready: false,
          blocked: true,
        },
        {
          id: 3,
          name: 'top',
          category: 'core',
          status: 'pending',
          priority: 0,
          dependencies: [1, 2],
          ready: false,
          blocked: true,
        },
        {
          id: 4,
          name: 'alone',
          category: 'core',
          status: 'pending',
          priority: 1,
          dependencies: [],
          ready: true,
          blocked: false,
        },
      ]);
      expect(graph.edges).toEqual([
        { source: 1, target: 2 },
        { source: 1, target: 3 },
        { source: 2, target: 3 },
      ]);

      await okCall(a, 'feature_claim_next');
      await okCall(a, 'feature_mark_passing', { feature_id: 1 });
      expect((await okCall(a, 'feature_get_blocked')).features.map((f: Json) => [f.id, f.blocked_by])).toEqual([
        [3, [2]],
      ]);
      expect((await okCall(a, 'feature_get_ready')).features.map((f: Json) => f.id)).toEqual([2, 4]);
      const after = await okCall(a, 'feature_get_graph');
      expect(after.nodes.map((n: Json) => [n.id, n.status, n.ready, n.blocked])).toEqual([
        [1, 'passing', false, false],
        [2, 'pending', true, false],
        [3, 'pending', false, true],
        [4, 'pending', true, false],
      ]);
    });
  });

  describe('feature_get_for_regression and feature_mark_verified', () => {
    it('lists passing features least recently verified first; verifying moves one to the back', async () => {
      await bulk([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }]);
      for (let i = 0; i < 3; i++) {
        const { feature } = await okCall(a, 'feature_claim_next');
        clock.advance(1_000);
        await okCall(a, 'feature_mark_passing', { feature_id: feature.id });
      }
      const ids = async (limit?: number) =>
        (await okCall(a, 'feature_get_for_regression', limit === undefined ? {} : { limit })).features.map(
          (f: Json) => f.id,
        );
      expect(await ids()).toEqual([1, 2, 3]);
      expect((await okCall(a, 'feature_get_for_regression', { limit: 1 })).count).toBe(1);

      clock.advance(1_000);
      const verified = await okCall(a, 'feature_mark_verified', { feature_id: 1 });
      expect(verified).toMatchObject({ id: 1, status: 'passing' });
      expect(store.features.get(1).lastVerifiedAt).toBe(clock.now());
      expect(await ids()).toEqual([2, 3, 1]);

      clock.advance(1_000);
      await okCall(a, 'feature_mark_verified', { feature_id: 2 });
      expect(await ids(10)).toEqual([3, 1, 2]);

      const notPassing = await a.call('feature_mark_verified', { feature_id: 4 });
      expect(notPassing.isError).toBe(true);
      expect(notPassing.text).toContain('not passing');
      const unknown = await a.call('feature_mark_verified', { feature_id: 77 });
      expect(unknown.isError).toBe(true);
      expect(unknown.text).toContain('does not exist');
    });
  });

  describe('bad input', () => {
    const cases: [string, string, Record<string, unknown>][] = [
      ['a string id', 'feature_get_by_id', { feature_id: '1' }],
      ['a negative id', 'feature_get_by_id', { feature_id: -1 }],
      ['a zero id', 'feature_mark_passing', { feature_id: 0 }],
      ['a fractional id', 'feature_release', { feature_id: 1.5 }],
      ['a missing id', 'feature_get_by_id', {}],
      ['an extra field', 'feature_get_by_id', { feature_id: 1, force: true }],
      ['an extra field on a tool without arguments', 'feature_get_stats', { verbose: true }],
      ['an extra field on claim_next', 'feature_claim_next', { feature_id: 2 }],
      ['a missing reason', 'feature_mark_failing', { feature_id: 1 }],
      ['a blank reason', 'feature_skip', { feature_id: 1, reason: '   ' }],
      ['evidence of the wrong type', 'feature_mark_passing', { feature_id: 1, evidence: { ok: true } }],
      ['a feature without steps', 'feature_create', { category: 'c', name: 'n', description: 'd', steps: [] }],
      ['a feature with a numeric name', 'feature_create', { category: 'c', name: 5, description: 'd', steps: ['s'] }],
      [
        'a feature with an extra field',
        'feature_create',
        { category: 'c', name: 'n', description: 'd', steps: ['s'], status: 'passing' },
      ],
      [
        'a feature with a negative dependency',
        'feature_create',
        { category: 'c', name: 'n', description: 'd', steps: ['s'], dependencies: [-1] },
      ],
      [
        'a fractional priority',
        'feature_create',
        { category: 'c', name: 'n', description: 'd', steps: ['s'], priority: 0.5 },
      ],
      ['bulk features that are not a list', 'feature_create_bulk', { features: 'all of them' }],
      [
        'a negative depends_on_index',
        'feature_create_bulk',
        { features: [item({ name: 'q', depends_on_indices: [-1] })] },
      ],
      ['dependency ids that are not a list', 'feature_set_dependencies', { feature_id: 1, dependency_ids: 2 }],
      ['a negative dependency id', 'feature_add_dependency', { feature_id: 1, dependency_id: -2 }],
      ['a missing dependency id', 'feature_remove_dependency', { feature_id: 1 }],
      ['a limit out of range', 'feature_get_ready', { limit: 0 }],
      ['a limit above the maximum', 'feature_get_for_regression', { limit: 11 }],
      ['a limit of the wrong type', 'feature_get_blocked', { limit: 'ten' }],
      ['an unknown blocker type', 'feature_skip', { feature_id: 1, reason: 'x', blocker_type: 'mood' }],
    ];

    it.each(cases)('%s → isError and nothing changed (%s)', async (_label, tool, args) => {
      await bulk([{ name: 'a' }, { name: 'b', depends_on_indices: [0] }]);
      const b = await connect('session-b');
      await okCall(b, 'feature_claim_next');
      // Session a holds feature... nothing; session b holds feature 1. Use b for the claim-bound tools.
      const caller = ['feature_mark_passing', 'feature_mark_failing', 'feature_skip', 'feature_release'].includes(tool)
        ? b
        : a;
      const before = snapshot();
      const r = await caller.call(tool, args);
      expect(r.isError, r.text).toBe(true);
      // The SDK checks the arguments against the tool's schema before our handler sees them.
      expect(r.text).toMatch(
        new RegExp(`^MCP error -32602: Input validation error: Invalid arguments for tool ${tool}: .+`, 's'),
      );
      expect(snapshot()).toEqual(before);
      expect(b.session.claims.size).toBe(1);
      expect(a.session.claims.size).toBe(0);
    });

    it('an unknown tool is an error', async () => {
      const r = await a.call('feature_delete_everything', {});
      expect(r.isError).toBe(true);
    });
  });

  describe('lease expiry', () => {
    it('an expired claim is reaped and re-claimed by another session; the old holder can no longer finish it', async () => {
      const b = await connect('session-b');
      await bulk([{ name: 'slow' }, { name: 'later', priority: 9 }]);
      const first = await okCall(a, 'feature_claim_next');
      expect(first.feature.id).toBe(1);
      expect(store.features.get(1).leaseExpiresAt).toBe(clock.now() + TEST_POLICY.leaseMs);

      // Within the lease, session b gets the other feature.
      clock.advance(TEST_POLICY.leaseMs - 1);
      expect((await okCall(b, 'feature_claim_next')).feature.id).toBe(2);
      await okCall(b, 'feature_release', { feature_id: 2 });

      clock.advance(2);
      const taken = await okCall(b, 'feature_claim_next');
      expect(taken.feature).toMatchObject({ id: 1, status: 'in_progress', attempts: 2 });
      const stored = store.features.get(1);
      expect(stored.claimedBy).toBe('session-b');
      expect(stored.notes).toContain('lease expired');
      expect(stored.claimEpoch).toBe(2);

      const late = await a.call('feature_mark_passing', { feature_id: 1, evidence: 'done, honestly' });
      expect(late.isError).toBe(true);
      expect(late.text).toContain('no longer valid');
      expect(store.features.get(1)).toMatchObject({ status: 'in_progress', claimedBy: 'session-b', evidence: [] });

      const lateFail = await a.call('feature_mark_failing', { feature_id: 1, reason: 'gave up' });
      expect(lateFail.isError).toBe(true);
      expect(lateFail.text).toContain('no longer valid');

      expect(await okCall(b, 'feature_mark_passing', { feature_id: 1, evidence: 'verified' })).toMatchObject({
        status: 'passing',
      });
      expect(store.features.get(1).evidence).toEqual([{ by: 'session-b', text: 'verified' }]);
    });
  });
});
