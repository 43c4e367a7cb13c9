import type { ProjectStore } from '../db/ports.js';
import type { SessionLogPayload } from '../shared/events.js';
import { toolCallLine } from '../shared/tool-call-text.js';
import { InPlaceBlock, type LiveOutput } from './in-place-block.js';

/**
 * The compact live view of `autocoder run` in a terminal: one line per running session (slot,
 * role, feature, elapsed time, last thing the agent said or did) and a progress line with the
 * cost so far, redrawn in place. Report lines are printed above it, so the history scrolls and
 * the view stays at the bottom. Not a terminal: `report` prints plain lines and `render` does
 * nothing, so logs and pipes stay clean.
 */
export class LiveView {
  private readonly block: InPlaceBlock;

  constructor(
    private readonly out: LiveOutput,
    private readonly store: Pick<ProjectStore, 'features' | 'sessions' | 'runs' | 'events'>,
    private readonly runId: () => string | null,
    private readonly now: () => number = Date.now,
  ) {
    this.block = new InPlaceBlock(out);
  }

  get enabled(): boolean {
    return this.out.isTTY;
  }

  /** Prints a report line above the live block. */
  report(line: string): void {
    if (!this.enabled) {
      this.out.write(`${line}\n`);
      return;
    }
    this.clear();
    this.out.write(`${line}\n`);
    this.render();
  }

  /** Redraws the block in place (call on a timer). */
  render(): void {
    if (this.enabled) this.block.draw(this.lines());
  }

  /** Removes the block (before normal output, and at exit). */
  clear(): void {
    if (this.enabled) this.block.clear();
  }

  /** The block's text, without terminal codes (also what tests read). */
  lines(): string[] {
    const runId = this.runId();
    const stats = this.store.features.stats();
    const cost = runId === null ? 0 : this.store.sessions.costOfRun(runId);
    const status = runId === null ? 'starting' : (this.store.runs.get(runId)?.status ?? 'starting');
    const slots = runId === null ? [] : this.store.sessions.running(runId);
    const slotLines = slots.map((s) => {
      const elapsed = Math.max(0, Math.round((this.now() - s.startedAt) / 1000));
      const feature = s.featureId === null ? s.role : `#${s.featureId} ${s.featureName ?? ''}`.trim();
      const [last] = this.store.events.latest({ types: ['session.log'], sessionId: s.sessionId, limit: 1 });
      return `  slot ${s.slot}  ${s.role.padEnd(11)} ${feature}  ${elapsed}s  ${last?.type === 'session.log' ? lastAction(last.payload) : ''}`.trimEnd();
    });
    const progress = `  ${stats.passing}/${stats.total} passing (${stats.percentage}%) · ${stats.in_progress} in progress · ${stats.failed} failed · ${stats.needs_input} need input · $${cost.toFixed(4)} · ${status}`;
    return [...(slotLines.length > 0 ? slotLines : ['  (no session running)']), progress];
  }
}

function lastAction(payload: SessionLogPayload): string {
  const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
  switch (payload.kind) {
    case 'text':
      return `“${oneLine(payload.text)}”`;
    case 'tool_call':
      return `→ ${oneLine(payload.line ?? toolCallLine(payload.tool, payload.input))}`;
    case 'tool_result':
      return payload.isError ? '← error' : '← ok';
    case 'retry':
      return '';
  }
}
