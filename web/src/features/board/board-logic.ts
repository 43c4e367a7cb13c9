import type { FeatureBoard, FeatureDTO } from '@shared/api';
import type { SkipClass } from '@shared/feature-failure';

/**
 * Board rules, pure so they can be tested without a browser: which lanes the Pending column
 * has, what a drop means, and which priorities a reorder writes.
 */

export type ColumnId = 'ready' | 'blocked' | 'in_progress' | 'needs_input' | 'passing' | 'failed';
export type ColumnGroup = 'pending' | 'in_progress' | 'needs_input' | 'passing' | 'failed';

export const COLUMN_GROUPS: readonly { id: ColumnGroup; title: string; lanes: readonly ColumnId[] }[] = [
  { id: 'pending', title: 'Pending', lanes: ['ready', 'blocked'] },
  { id: 'in_progress', title: 'In progress', lanes: ['in_progress'] },
  { id: 'needs_input', title: 'Needs input', lanes: ['needs_input'] },
  { id: 'passing', title: 'Passing', lanes: ['passing'] },
  { id: 'failed', title: 'Failed', lanes: ['failed'] },
];

export type Lanes = Record<ColumnId, FeatureDTO[]>;

/** Pending splits into ready (claimable now, in the order agents take them) and blocked/waiting. */
export function toLanes(board: FeatureBoard): Lanes {
  return {
    ready: board.pending.filter((f) => f.ready),
    blocked: board.pending.filter((f) => !f.ready),
    in_progress: board.in_progress,
    needs_input: board.needs_input,
    passing: [...board.passing].sort((a, b) => (b.passedAt ?? 0) - (a.passedAt ?? 0)),
    failed: board.failed,
  };
}

export type DropAction =
  | { kind: 'reorder'; lane: 'ready' | 'blocked'; updates: PriorityUpdate[] }
  | { kind: 'retry'; id: number }
  | { kind: 'reopen'; id: number }
  | { kind: 'none'; reason: string };

export interface PriorityUpdate {
  readonly id: number;
  readonly priority: number;
}

/**
 * New priorities that put `movedId` at `toIndex` of `lane` (indices of the lane without the
 * card). The lane is in ascending priority order. Only the moved card changes when there is
 * room; otherwise the cards after it are pushed down just far enough to keep the order strict.
 */
export function reorderPriorities(lane: readonly FeatureDTO[], movedId: number, toIndex: number): PriorityUpdate[] {
  const others = lane.filter((f) => f.id !== movedId);
  const from = lane.findIndex((f) => f.id === movedId);
  if (from < 0) return [];
  const k = Math.max(0, Math.min(toIndex, others.length));
  if (others.length === 0 || from === k) return [];
  const prev = others[k - 1];
  const next = others[k];
  if (!prev) return [{ id: movedId, priority: next!.priority - 1 }];
  if (!next) return [{ id: movedId, priority: prev.priority + 1 }];
  if (next.priority - prev.priority >= 2)
    return [{ id: movedId, priority: prev.priority + Math.floor((next.priority - prev.priority) / 2) }];
  const updates: PriorityUpdate[] = [{ id: movedId, priority: prev.priority + 1 }];
  let floor = prev.priority + 1;
  for (let i = k; i < others.length; i++) {
    const f = others[i]!;
    if (f.priority > floor) break;
    floor += 1;
    updates.push({ id: f.id, priority: floor });
  }
  return updates;
}

/** What dropping a card from lane `from` onto lane `to` at `toIndex` does. */
export function dropAction(lanes: Lanes, featureId: number, from: ColumnId, to: ColumnId, toIndex: number): DropAction {
  if ((from === 'ready' || from === 'blocked') && to === from) {
    const updates = reorderPriorities(lanes[from], featureId, toIndex);
    return updates.length
      ? { kind: 'reorder', lane: from, updates }
      : { kind: 'none', reason: 'the card is already there' };
  }
  const toPending = to === 'ready' || to === 'blocked';
  if (from === 'failed' && toPending) return { kind: 'retry', id: featureId };
  if (from === 'passing' && toPending) return { kind: 'reopen', id: featureId };
  if (from === to) return { kind: 'none', reason: 'the card is already there' };
  if (toPending && (from === 'ready' || from === 'blocked'))
    return { kind: 'none', reason: 'whether a feature is blocked follows from its dependencies; edit those instead' };
  return {
    kind: 'none',
    reason: `a card cannot be moved from ${laneTitle(from)} to ${laneTitle(to)}; agents move cards there`,
  };
}

export function laneTitle(lane: ColumnId): string {
  return {
    ready: 'Ready',
    blocked: 'Blocked',
    in_progress: 'In progress',
    needs_input: 'Needs input',
    passing: 'Passing',
    failed: 'Failed',
  }[lane];
}

/** Applies a reorder locally so the card stays where it was dropped while the server confirms. */
export function applyReorder(lanes: Lanes, lane: 'ready' | 'blocked', updates: readonly PriorityUpdate[]): Lanes {
  const byId = new Map(updates.map((u) => [u.id, u.priority]));
  const next = lanes[lane].map((f) => (byId.has(f.id) ? { ...f, priority: byId.get(f.id)! } : f));
  next.sort((a, b) => a.priority - b.priority); // stable: ties keep the server's order
  return { ...lanes, [lane]: next };
}

/** The keys that move the focus between cards (roving tabindex: the board is one tab stop, arrows do the rest). */
export const CARD_KEYS = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End'] as const;
export type CardKey = (typeof CARD_KEYS)[number];
export const isCardKey = (key: string): key is CardKey => (CARD_KEYS as readonly string[]).includes(key);

/**
 * Where a card key moves the focus on the board, given the card ids of each column top to bottom (as shown): up and
 * down within the column, left and right to the card at the same height in the nearest column that has cards (the
 * last one when that column is shorter), Home and End to the column's first and last card. Null when it stays.
 */
export function moveFocus(columns: readonly (readonly number[])[], current: number, key: CardKey): number | null {
  const col = columns.findIndex((c) => c.includes(current));
  if (col < 0) return null;
  const cards = columns[col]!;
  const row = cards.indexOf(current);
  const at = (target: number | undefined) => (target === undefined || target === current ? null : target);
  switch (key) {
    case 'ArrowUp':
      return at(cards[row - 1]);
    case 'ArrowDown':
      return at(cards[row + 1]);
    case 'Home':
      return at(cards[0]);
    case 'End':
      return at(cards[cards.length - 1]);
    case 'ArrowLeft':
    case 'ArrowRight': {
      const step = key === 'ArrowLeft' ? -1 : 1;
      for (let c = col + step; c >= 0 && c < columns.length; c += step) {
        const next = columns[c]!;
        if (next.length > 0) return at(next[Math.min(row, next.length - 1)]);
      }
      return null;
    }
  }
}

/** The board's filter: every feature, or only the skipped ones of one blocker class. */
export type BoardFilter = 'all' | SkipClass;

/** The lanes with only the features the filter keeps (the same lanes, so the columns stay where they are). */
export function filterLanes(lanes: Lanes, filter: BoardFilter): Lanes {
  if (filter === 'all') return lanes;
  const keep = (fs: FeatureDTO[]) => fs.filter((f) => f.skipClass === filter);
  return {
    ready: keep(lanes.ready),
    blocked: keep(lanes.blocked),
    in_progress: keep(lanes.in_progress),
    needs_input: keep(lanes.needs_input),
    passing: keep(lanes.passing),
    failed: keep(lanes.failed),
  };
}
