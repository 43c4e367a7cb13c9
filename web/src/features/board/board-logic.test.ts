import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FeatureBoard, FeatureDTO } from '@shared/api';
import {
  applyReorder,
  CARD_KEYS,
  dropAction,
  filterLanes,
  moveFocus,
  reorderPriorities,
  toLanes,
  type Lanes,
} from './board-logic';
import { skipClassCounts } from './failure-view';

function feature(id: number, priority: number, over: Partial<FeatureDTO> = {}): FeatureDTO {
  return {
    id,
    priority,
    category: 'c',
    name: `f${id}`,
    description: '',
    steps: [],
    status: 'pending',
    dependencies: [],
    blockedBy: [],
    ready: true,
    attempts: 0,
    maxAttempts: 3,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    notes: '',
    blockerType: null,
    blockerNote: null,
    skipCount: 0,
    estimateMs: 0,
    pathMs: 0,
    passedAt: null,
    updatedAt: 0,
    acceptance: null,
    acceptanceHash: null,
    verificationId: null,
    verification: null,
    failureReason: null,
    retryAt: null,
    skipClass: null,
    ...over,
  };
}

const emptyBoard: FeatureBoard = { pending: [], in_progress: [], needs_input: [], passing: [], failed: [] };

/** The lane order after applying updates: ascending priority, ties in the previous order. */
function orderAfter(lane: FeatureDTO[], updates: { id: number; priority: number }[]): number[] {
  const p = new Map(updates.map((u) => [u.id, u.priority]));
  return [...lane]
    .map((f) => ({ id: f.id, priority: p.get(f.id) ?? f.priority }))
    .sort((a, b) => a.priority - b.priority)
    .map((f) => f.id);
}

describe('toLanes', () => {
  it('splits Pending into ready and blocked, keeping the server order, and shows the newest passes first', () => {
    const board: FeatureBoard = {
      ...emptyBoard,
      pending: [feature(1, 0), feature(2, 1, { ready: false, blockedBy: [9] }), feature(3, 2)],
      passing: [feature(7, 0, { status: 'passing', passedAt: 10 }), feature(8, 0, { status: 'passing', passedAt: 20 })],
    };
    const lanes = toLanes(board);
    expect(lanes.ready.map((f) => f.id)).toEqual([1, 3]);
    expect(lanes.blocked.map((f) => f.id)).toEqual([2]);
    expect(lanes.passing.map((f) => f.id)).toEqual([8, 7]);
  });
});

describe('reorderPriorities', () => {
  const lane = [feature(1, 0), feature(2, 10), feature(3, 20), feature(4, 30)];

  it('moves only the dragged card when there is a gap', () => {
    expect(reorderPriorities(lane, 4, 1)).toEqual([{ id: 4, priority: 5 }]);
    expect(reorderPriorities(lane, 1, 3)).toEqual([{ id: 1, priority: 31 }]);
    expect(reorderPriorities(lane, 3, 0)).toEqual([{ id: 3, priority: -1 }]);
  });

  it('does nothing when the card is dropped where it was', () => {
    expect(reorderPriorities(lane, 2, 1)).toEqual([]);
  });

  it('pushes the following cards down just enough when priorities are packed', () => {
    const packed = [feature(1, 0), feature(2, 1), feature(3, 2), feature(4, 10)];
    expect(reorderPriorities(packed, 3, 1)).toEqual([
      { id: 3, priority: 1 },
      { id: 2, priority: 2 },
    ]);
  });

  it('for any lane and any move, the lane ends in exactly the dropped order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        (prios, a, b) => {
          const sorted = [...prios].sort((x, y) => x - y);
          const l = sorted.map((p, i) => feature(i + 1, p));
          const from = a % l.length;
          const to = b % l.length;
          const moved = l[from]!.id;
          const expected = l.map((f) => f.id).filter((id) => id !== moved);
          expected.splice(to, 0, moved);
          const updates = reorderPriorities(l, moved, to);
          // Untouched ties keep their order (stable sort, as on the board); the moved card is strictly placed.
          expect(orderAfter(l, updates)).toEqual(expected);
          for (const u of updates) expect(Number.isInteger(u.priority)).toBe(true);
        },
      ),
    );
  });
});

describe('dropAction', () => {
  const lanes: Lanes = {
    ready: [feature(1, 0), feature(2, 1)],
    blocked: [feature(3, 2, { ready: false, blockedBy: [1] })],
    in_progress: [feature(4, 0, { status: 'in_progress' })],
    needs_input: [],
    passing: [feature(5, 0, { status: 'passing' })],
    failed: [feature(6, 0, { status: 'failed' })],
  };

  it('a reorder within Ready writes priorities', () => {
    expect(dropAction(lanes, 2, 'ready', 'ready', 0)).toEqual({
      kind: 'reorder',
      lane: 'ready',
      updates: [{ id: 2, priority: -1 }],
    });
  });
  it('Failed → Pending retries, Passing → Pending re-opens', () => {
    expect(dropAction(lanes, 6, 'failed', 'ready', 0)).toEqual({ kind: 'retry', id: 6 });
    expect(dropAction(lanes, 6, 'failed', 'blocked', 0)).toEqual({ kind: 'retry', id: 6 });
    expect(dropAction(lanes, 5, 'passing', 'ready', 1)).toEqual({ kind: 'reopen', id: 5 });
  });
  it('refuses moves only agents make, and says why', () => {
    const toPassing = dropAction(lanes, 1, 'ready', 'passing', 0);
    expect(toPassing.kind).toBe('none');
    expect(toPassing.kind === 'none' && toPassing.reason).toMatch(/agents move cards there/);
    const toBlocked = dropAction(lanes, 1, 'ready', 'blocked', 0);
    expect(toBlocked.kind === 'none' && toBlocked.reason).toMatch(/dependencies/);
  });
  it('applyReorder shows the new order at once', () => {
    const next = applyReorder(lanes, 'ready', [{ id: 2, priority: -1 }]);
    expect(next.ready.map((f) => f.id)).toEqual([2, 1]);
  });
});

describe('moveFocus: arrow keys between cards', () => {
  // Pending (1, 2, 3), In progress (empty), Needs input (4), Passing (5, 6), Failed (empty).
  const columns = [[1, 2, 3], [], [4], [5, 6], []];

  it('moves up and down within a column and stops at its ends', () => {
    expect(moveFocus(columns, 2, 'ArrowDown')).toBe(3);
    expect(moveFocus(columns, 2, 'ArrowUp')).toBe(1);
    expect(moveFocus(columns, 3, 'ArrowDown')).toBeNull();
    expect(moveFocus(columns, 1, 'ArrowUp')).toBeNull();
  });

  it('moves left and right to the same height in the nearest column with cards, skipping empty ones', () => {
    expect(moveFocus(columns, 1, 'ArrowRight')).toBe(4);
    expect(moveFocus(columns, 3, 'ArrowRight')).toBe(4); // Needs input is shorter: its last card
    expect(moveFocus(columns, 4, 'ArrowRight')).toBe(5);
    expect(moveFocus(columns, 6, 'ArrowLeft')).toBe(4);
    expect(moveFocus(columns, 4, 'ArrowLeft')).toBe(1);
    expect(moveFocus(columns, 2, 'ArrowLeft')).toBeNull();
    expect(moveFocus(columns, 6, 'ArrowRight')).toBeNull(); // Failed is empty and the last column
  });

  it('Home and End go to the column’s first and last card', () => {
    expect(moveFocus(columns, 2, 'Home')).toBe(1);
    expect(moveFocus(columns, 2, 'End')).toBe(3);
    expect(moveFocus(columns, 1, 'Home')).toBeNull();
  });

  it('a card that is not on the board goes nowhere', () => {
    expect(moveFocus(columns, 99, 'ArrowDown')).toBeNull();
  });

  it('always lands on a card of the board, never on the one it left', () => {
    const board = fc.array(fc.array(fc.integer({ min: 1, max: 10_000 }), { maxLength: 6 }), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(board, fc.constantFrom(...CARD_KEYS), fc.nat(), (cols, key, pick) => {
        // Ids are unique on a board.
        const seen = new Set<number>();
        const unique = cols.map((c) => c.filter((id) => !seen.has(id) && (seen.add(id), true)));
        const all = unique.flat();
        if (all.length === 0) return;
        const from = all[pick % all.length]!;
        const to = moveFocus(unique, from, key);
        if (to !== null) {
          expect(all).toContain(to);
          expect(to).not.toBe(from);
        }
      }),
    );
  });
});

describe('filterLanes and skipClassCounts (the board filter by blocker class)', () => {
  const board: FeatureBoard = {
    pending: [
      feature(1, 1, { ready: true }),
      feature(2, 2, { skipClass: 'credentials', ready: false }),
      feature(3, 3, { skipClass: 'unclassified' }),
    ],
    in_progress: [],
    needs_input: [],
    passing: [feature(4, 4, { status: 'passing' })],
    failed: [feature(5, 5, { status: 'failed', skipClass: 'credentials' })],
  };
  const lanes = toLanes(board);

  it('keeps every lane, with only the skipped features of the class; "all" changes nothing', () => {
    expect(filterLanes(lanes, 'all')).toBe(lanes);
    const credentials = filterLanes(lanes, 'credentials');
    expect(Object.fromEntries(Object.entries(credentials).map(([k, fs]) => [k, fs.map((f) => f.id)]))).toEqual({
      ready: [],
      blocked: [2],
      in_progress: [],
      needs_input: [],
      passing: [],
      failed: [5],
    });
    expect(filterLanes(lanes, 'dependency').blocked).toEqual([]);
  });

  it('counts the classes present, in the classes order (unclassified last)', () => {
    expect(skipClassCounts(Object.values(lanes).flat())).toEqual([
      { skipClass: 'credentials', count: 2 },
      { skipClass: 'unclassified', count: 1 },
    ]);
  });
});
