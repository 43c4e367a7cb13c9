import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCorners,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, useCallback, useMemo, useState } from 'react';
import type { FeatureDTO } from '@shared/api';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';
import { useToast } from '../../shared/ui/toast';
import { useShortcuts } from '../../shared/shortcuts';
import { useProject } from '../../shared/project-context';
import {
  COLUMN_GROUPS,
  applyReorder,
  dropAction,
  filterLanes,
  isCardKey,
  laneTitle,
  moveFocus,
  toLanes,
  type BoardFilter,
  type ColumnId,
  type Lanes,
} from './board-logic';
import { skipClassCounts, skipClassLabel } from './failure-view';
import { inputClass } from '../../shared/ui/Field';
import { FeatureCard, type FeatureCardProps } from './FeatureCard';
import { FeatureFormDialog } from './FeatureFormDialog';

const LANE_LIMIT = 150;
/** The feature id of a card's focus target (its open button), or null for anything else. */
const cardIdOf = (target: EventTarget): number | null =>
  target instanceof HTMLElement && target.dataset['cardFocus'] ? Number(target.dataset['cardFocus']) : null;
const cardKey = (id: number) => `f:${id}`;
const laneKey = (lane: ColumnId) => `lane:${lane}`;
const SORTABLE = new Set<ColumnId>(['ready', 'blocked']);
/**
 * Sensor options are constants: useSensor memoises on the options object, and new sensors on
 * every render (each stream update re-renders the board) change dnd-kit's context and so
 * re-render every card.
 */
const POINTER_OPTIONS = { activationConstraint: { distance: 5 } };
/** Space picks a card up (Enter opens it, as a button's Enter does); Space or Enter drops it, Escape cancels. */
const KEYBOARD_OPTIONS = {
  coordinateGetter: sortableKeyboardCoordinates,
  keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Enter'] },
};
/** What a screen reader hears on a focused card (dnd-kit's own text speaks of Space and Enter alike). */
const SCREEN_READER_INSTRUCTIONS = {
  draggable:
    'Enter opens the feature. Arrow keys move to the next card. To move this card, press Space, then the arrow keys, then Space to drop it or Escape to cancel.',
};
/** Cards in lanes agents own do not make room while something is dragged over them. */
const noShift = () => null;

/**
 * Memoised, and given the project's stable `openFeature` rather than a closure, so a lane that
 * re-renders for a stream update does not re-render its (up to 150) cards; dnd-kit still
 * re-renders them when the drag state changes.
 */
const SortableCard = memo(function SortableCard({
  feature,
  lane,
  onOpen,
  tabbable,
  ...rest
}: { feature: FeatureDTO; lane: ColumnId; onOpen: (id: number) => void; tabbable: boolean } & Omit<
  FeatureCardProps,
  'dragHandle' | 'dragging' | 'onOpen' | 'focusProps'
>) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging, setActivatorNodeRef } = useSortable({
    id: cardKey(feature.id),
    data: { lane, feature },
  });
  const draggable = lane !== 'in_progress' && lane !== 'needs_input';
  const open = useCallback(() => onOpen(feature.id), [onOpen, feature.id]);
  // Same element and props while dnd-kit's attributes and listeners stay the same, so FeatureCard's memo holds.
  // The mouse drags by the grip; the keyboard picks up the card's own button (its one tab stop) with Space.
  const dragHandle = useMemo(
    () =>
      draggable ? (
        <span
          aria-hidden="true"
          data-grip={feature.id}
          onPointerDown={listeners?.['onPointerDown'] as React.PointerEventHandler | undefined}
          className="relative z-10 -my-1 -ml-1 cursor-grab touch-none rounded px-0.5 text-muted select-none hover:bg-sunken active:cursor-grabbing"
        >
          ⠿
        </span>
      ) : null,
    [draggable, listeners, feature.id],
  );
  const focusProps = useMemo(
    () => ({
      ...(draggable
        ? {
            ...attributes,
            ref: setActivatorNodeRef,
            onKeyDown: listeners?.['onKeyDown'] as React.KeyboardEventHandler | undefined,
          }
        : {}),
      tabIndex: tabbable ? 0 : -1,
    }),
    [draggable, attributes, setActivatorNodeRef, listeners, tabbable],
  );
  return (
    <li ref={setNodeRef} style={{ transform: CSS.Transform.toString(transform), transition }}>
      <FeatureCard
        feature={feature}
        dragging={isDragging}
        onOpen={open}
        {...rest}
        dragHandle={dragHandle}
        focusProps={focusProps}
      />
    </li>
  );
});

function Lane({
  lane,
  features,
  title,
  showTitle,
  tabbableId,
}: {
  lane: ColumnId;
  features: FeatureDTO[];
  title: string;
  showTitle: boolean;
  /** The card that is the board's one tab stop (null: it is in another lane). */
  tabbableId: number | null;
}) {
  const { stream, recentlyPassed, openFeature } = useProject();
  const { setNodeRef, isOver } = useDroppable({ id: laneKey(lane), data: { lane } });
  const [all, setAll] = useState(false);
  // Stable arrays: a new `items` array changes SortableContext's value, which re-renders every card.
  const shown = useMemo(() => (all ? features : features.slice(0, LANE_LIMIT)), [all, features]);
  const items = useMemo(() => shown.map((f) => cardKey(f.id)), [shown]);
  // The mascot sits on the card its agent is working on (not on cards it already finished).
  const agentOn = (id: number) =>
    lane === 'in_progress'
      ? ([...stream.agents.values()].find((a) => a.featureId === id && a.state !== 'success' && a.state !== 'error') ??
        null)
      : null;
  return (
    <div
      ref={setNodeRef}
      data-testid={`lane-${lane}`}
      className={`flex min-h-16 shrink-0 flex-col gap-2 rounded-xl p-1 transition ${isOver ? 'bg-accent/10 ring-2 ring-accent/40' : ''}`}
    >
      {showTitle ? (
        <h3 className="px-1 text-xs font-semibold tracking-wide text-muted uppercase">
          {title} · {features.length}
        </h3>
      ) : null}
      <SortableContext items={items} strategy={SORTABLE.has(lane) ? verticalListSortingStrategy : noShift}>
        <ul className="flex flex-col gap-2" aria-label={`${title} features`}>
          {shown.map((f) => (
            <SortableCard
              key={f.id}
              feature={f}
              lane={lane}
              agent={agentOn(f.id)}
              justPassed={recentlyPassed.has(f.id)}
              onOpen={openFeature}
              tabbable={f.id === tabbableId}
            />
          ))}
        </ul>
      </SortableContext>
      {features.length > shown.length ? (
        <Button variant="ghost" className="text-xs" onClick={() => setAll(true)}>
          Show {features.length - shown.length} more
        </Button>
      ) : null}
      {features.length === 0 ? (
        <p className="px-2 py-3 text-center text-xs text-muted">{lane === 'ready' ? 'Nothing ready' : 'Empty'}</p>
      ) : null}
    </div>
  );
}

/** The backlog as a kanban board; drag to reprioritise, retry or re-open. */
export function BoardPage() {
  const { name } = useProject();
  const qc = useQueryClient();
  const toast = useToast();
  const board = useQuery({ queryKey: keys.board(name), queryFn: () => endpoints.board(name) });
  const [override, setOverride] = useState<Lanes | null>(null);
  const [active, setActive] = useState<FeatureDTO | null>(null);
  const [confirmReopen, setConfirmReopen] = useState<FeatureDTO | null>(null);
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState<BoardFilter>('all');
  const allLanes = useMemo(() => override ?? (board.data ? toLanes(board.data) : null), [override, board.data]);
  const skipped = useMemo(() => (allLanes ? skipClassCounts(Object.values(allLanes).flat()) : []), [allLanes]);
  // A class no feature has any more (its last one passed) shows everything again.
  const shownFilter = filter !== 'all' && skipped.some((c) => c.skipClass === filter) ? filter : 'all';
  const lanes = useMemo(() => (allLanes ? filterLanes(allLanes, shownFilter) : null), [allLanes, shownFilter]);
  // Roving tabindex: the board is one tab stop, the card last focused (else the first card); arrows move it.
  const [focused, setFocused] = useState<number | null>(null);
  const tabbableId = useMemo(() => {
    if (!lanes) return null;
    const cards = COLUMN_GROUPS.flatMap((g) => g.lanes.flatMap((l) => lanes[l]));
    return cards.some((f) => f.id === focused) ? focused : (cards[0]?.id ?? null);
  }, [lanes, focused]);
  const onGridKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    // While a card is picked up the arrows move it (dnd-kit's keyboard sensor), not the focus.
    if (active || !isCardKey(e.key) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const from = cardIdOf(e.target);
    if (from === null) return;
    const columns = [...e.currentTarget.querySelectorAll('[data-column]')].map((c) =>
      [...c.querySelectorAll('[data-card-focus]')].map((b) => Number(b.getAttribute('data-card-focus'))),
    );
    const to = moveFocus(columns, from, e.key);
    if (to === null) return;
    e.preventDefault();
    setFocused(to);
    e.currentTarget.querySelector<HTMLElement>(`[data-card-focus="${to}"]`)?.focus();
  };
  const onGridFocus = (e: React.FocusEvent<HTMLDivElement>) => {
    const id = cardIdOf(e.target);
    if (id !== null) setFocused(id);
  };

  useShortcuts(useMemo(() => ({ n: () => setCreating(true) }), []));

  const sensors = useSensors(useSensor(PointerSensor, POINTER_OPTIONS), useSensor(KeyboardSensor, KEYBOARD_OPTIONS));

  const refetch = () => qc.invalidateQueries({ queryKey: keys.board(name) });
  const reorder = useMutation({
    mutationFn: async (updates: { id: number; priority: number }[]) => {
      for (const u of updates) await endpoints.updateFeature(name, u.id, { priority: u.priority });
    },
    onError: (err) => toast(`Reorder failed: ${err.message}`, 'error'),
    onSettled: async () => {
      await refetch();
      setOverride(null);
    },
  });
  const retry = useMutation({
    mutationFn: (id: number) => endpoints.retryFeature(name, id),
    onSuccess: (f) => toast(`#${f.id} ${f.name} is pending again with fresh attempts`, 'success'),
    onError: (err) => toast(err.message, 'error'),
    onSettled: refetch,
  });
  const reopen = useMutation({
    mutationFn: (id: number) => endpoints.reopenFeature(name, id, 're-opened from the board'),
    onSuccess: (f) => toast(`#${f.id} ${f.name} is re-opened`, 'success'),
    onError: (err) => toast(err.message, 'error'),
    onSettled: refetch,
  });

  const find = (id: string | number | undefined): FeatureDTO | undefined => {
    if (!lanes || typeof id !== 'string' || !id.startsWith('f:')) return undefined;
    const n = Number(id.slice(2));
    return Object.values(lanes)
      .flat()
      .find((f) => f.id === n);
  };
  const laneOf = (data: unknown): ColumnId | undefined =>
    data && typeof data === 'object' && 'lane' in data ? (data.lane as ColumnId) : undefined;

  const onDragStart = (e: DragStartEvent) => setActive(find(e.active.id) ?? null);
  const onDragEnd = (e: DragEndEvent) => {
    setActive(null);
    if (!lanes || !e.over) return;
    const feature = find(e.active.id);
    const from = laneOf(e.active.data.current);
    const to = laneOf(e.over.data.current);
    if (!feature || !from || !to) return;
    const overIndex = lanes[to].findIndex((f) => cardKey(f.id) === e.over!.id);
    const toIndex = overIndex >= 0 ? overIndex : lanes[to].length;
    const action = dropAction(lanes, feature.id, from, to, toIndex);
    if (action.kind === 'reorder') {
      // The unfiltered lanes: clearing the filter afterwards shows every card.
      setOverride(applyReorder(allLanes ?? lanes, action.lane, action.updates));
      reorder.mutate(action.updates);
    } else if (action.kind === 'retry') retry.mutate(action.id);
    else if (action.kind === 'reopen') setConfirmReopen(feature);
    else if (from !== to) toast(action.reason, 'info');
  };

  const laneName = (id: string | number | undefined) => {
    const f = find(id);
    return f ? `#${f.id} ${f.name}` : String(id);
  };
  const announcements: Announcements = {
    onDragStart: ({ active: a }) =>
      `Picked up ${laneName(a.id)}. Use the arrow keys to move, Space to drop, Escape to cancel.`,
    // A picked-up card starts over itself: announcing that would replace "Picked up …" (and its
    // instructions) before a screen reader has read it.
    onDragOver: ({ active: a, over }) => {
      if (!over) return `${laneName(a.id)} is no longer over a drop area.`;
      if (over.id === a.id) return undefined;
      return `${laneName(a.id)} is over ${typeof over.id === 'string' && over.id.startsWith('lane:') ? laneTitle(over.id.slice(5) as ColumnId) : laneName(over.id)}.`;
    },
    onDragEnd: ({ active: a, over }) =>
      over ? `Dropped ${laneName(a.id)}.` : `${laneName(a.id)} was dropped outside the board.`,
    onDragCancel: ({ active: a }) => `Moving ${laneName(a.id)} was cancelled.`,
  };

  if (board.error)
    return (
      <p role="alert" className="text-st-failed">
        The board cannot be loaded: {board.error.message}
      </p>
    );
  if (!lanes) return <p className="text-muted">Loading the backlog…</p>;

  return (
    // `board-page`: on desktop widths the board fills the window below the headers, and each
    // column scrolls on its own (styles.css); narrower, the columns stack and the page scrolls.
    <section aria-label="Board" className="board-page flex min-h-0 flex-1 flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <p className="min-w-60 flex-1 text-sm text-muted">
          Drag ⠿ to reorder what is ready, to retry a failed feature or to re-open a passing one (keyboard: arrows to a
          card, Space, arrows, Space; Enter opens it).
        </p>
        {skipped.length > 0 ? (
          <label className="flex items-center gap-2 text-sm">
            <span className="text-muted">Skipped because</span>
            <select
              data-testid="skip-filter"
              className={`${inputClass} w-auto py-1`}
              value={shownFilter}
              onChange={(e) => setFilter(e.target.value as BoardFilter)}
            >
              <option value="all">any reason: show all features</option>
              {skipped.map((c) => (
                <option key={c.skipClass} value={c.skipClass}>
                  {skipClassLabel(c.skipClass)} ({c.count})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <Button variant="primary" onClick={() => setCreating(true)}>
          + Add feature
        </Button>
      </div>
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setActive(null)}
        accessibility={{ announcements, screenReaderInstructions: SCREEN_READER_INSTRUCTIONS }}
      >
        <div
          className="grid min-h-0 flex-1 grid-cols-1 gap-3 md:grid-cols-3 xl:grid-cols-5"
          onKeyDown={onGridKeyDown}
          onFocus={onGridFocus}
        >
          {COLUMN_GROUPS.map((g) => {
            const count = g.lanes.reduce((n, l) => n + lanes[l].length, 0);
            return (
              <section
                key={g.id}
                data-column={g.id}
                aria-labelledby={`col-${g.id}`}
                className="flex min-h-0 flex-col rounded-2xl border border-line bg-sunken/60 p-2 md:max-h-[calc(100dvh-5rem)]"
              >
                <h2 id={`col-${g.id}`} className="flex items-center justify-between px-1 pb-2 text-sm font-semibold">
                  {g.title}
                  <span className="rounded-full bg-panel px-2 py-0.5 text-xs text-muted">{count}</span>
                </h2>
                <div className="flex min-h-0 flex-1 flex-col gap-2 overflow-y-auto">
                  {g.lanes.map((l) => (
                    <Lane
                      key={l}
                      lane={l}
                      features={lanes[l]}
                      title={laneTitle(l)}
                      showTitle={g.lanes.length > 1}
                      tabbableId={tabbableId}
                    />
                  ))}
                </div>
              </section>
            );
          })}
        </div>
        <DragOverlay>
          {active ? <FeatureCard feature={active} agent={null} justPassed={false} onOpen={() => undefined} /> : null}
        </DragOverlay>
      </DndContext>
      {confirmReopen ? (
        <Dialog
          open
          onClose={() => setConfirmReopen(null)}
          title={`Re-open #${confirmReopen.id}?`}
          footer={
            <>
              <Button onClick={() => setConfirmReopen(null)}>Cancel</Button>
              <Button
                variant="primary"
                onClick={() => {
                  reopen.mutate(confirmReopen.id);
                  setConfirmReopen(null);
                }}
              >
                Re-open
              </Button>
            </>
          }
        >
          <p className="text-sm">
            “{confirmReopen.name}” passes now. Re-opening moves it back to Pending so an agent implements and verifies
            it again. Features that depend on it wait until it passes again.
          </p>
        </Dialog>
      ) : null}
      {creating ? <FeatureFormDialog onClose={() => setCreating(false)} /> : null}
    </section>
  );
}
