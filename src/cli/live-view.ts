import type { Db } from '../db/connection.js';
import { FeatureRepo } from '../db/feature-repo.js';

/** Where the live view draws: a terminal stream (process.stdout in production). */
export interface LiveOutput {
  readonly isTTY: boolean;
  readonly columns: number;
  write(text: string): void;
}

interface SlotRow {
  slot: number | null;
  sessionId: string;
  role: string;
  featureId: number | null;
  featureName: string | null;
  startedAt: number;
}

const CLEAR_LINE = '\u001b[2K';
const up = (n: number) => (n > 0 ? `\u001b[${n}A` : '');

/**
 * The compact live view of `autocoder run` in a terminal: one line per running session (slot,
 * role, feature, elapsed time, last thing the agent said or did) and a progress line with the
 * cost so far, redrawn in place. Report lines are printed above it, so the history scrolls and
 * the view stays at the bottom. Not a terminal: `report` prints plain lines and `render` does
 * nothing, so logs and pipes stay clean.
 */
export class LiveView {
  private drawn = 0;

  constructor(
    private readonly out: LiveOutput,
    private readonly db: Db,
    private readonly runId: () => string | null,
    private readonly now: () => number = Date.now,
  ) {}

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
    if (!this.enabled) return;
    const lines = this.lines().map((l) => this.fit(l));
    this.out.write(`${up(this.drawn)}${lines.map((l) => `${CLEAR_LINE}${l}`).join('\n')}\n`);
    // Lines left over from a taller previous block are blanked.
    for (let i = lines.length; i < this.drawn; i += 1) this.out.write(`${CLEAR_LINE}\n`);
    if (this.drawn > lines.length) this.out.write(up(this.drawn - lines.length));
    this.drawn = lines.length;
  }

  /** Removes the block (before normal output, and at exit). */
  clear(): void {
    if (!this.enabled || this.drawn === 0) return;
    this.out.write(up(this.drawn));
    for (let i = 0; i < this.drawn; i += 1) this.out.write(`${CLEAR_LINE}\n`);
    this.out.write(up(this.drawn));
    this.drawn = 0;
  }

  /** The block's text, without terminal codes (also what tests read). */
  lines(): string[] {
    const runId = this.runId();
    const stats = new FeatureRepo(this.db).stats();
    const cost = runId === null ? 0 : ((this.db.prepare('SELECT coalesce(sum(cost_usd), 0) FROM sessions WHERE run_id = ?').pluck().get(runId) as number) ?? 0);
    const status = runId === null ? 'starting' : ((this.db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as string | undefined) ?? 'starting');
    const slots =
      runId === null
        ? []
        : (this.db
            .prepare(
              `SELECT s.slot, s.id AS sessionId, s.role, json_extract(s.feature_ids, '$[0]') AS featureId, f.name AS featureName, s.started_at AS startedAt
               FROM sessions s LEFT JOIN features f ON f.id = json_extract(s.feature_ids, '$[0]')
               WHERE s.run_id = ? AND s.status = 'running' ORDER BY s.slot, s.started_at`,
            )
            .all(runId) as SlotRow[]);
    const lastLog = this.db.prepare(`SELECT payload FROM events WHERE session_id = ? AND type = 'session.log' ORDER BY id DESC LIMIT 1`).pluck();
    const slotLines = slots.map((s) => {
      const elapsed = Math.max(0, Math.round((this.now() - s.startedAt) / 1000));
      const feature = s.featureId === null ? s.role : `#${s.featureId} ${s.featureName ?? ''}`.trim();
      const payload = lastLog.get(s.sessionId) as string | undefined;
      return `  slot ${s.slot ?? 0}  ${s.role.padEnd(11)} ${feature}  ${elapsed}s  ${payload ? lastAction(JSON.parse(payload) as Record<string, unknown>) : ''}`.trimEnd();
    });
    const progress = `  ${stats.passing}/${stats.total} passing (${stats.percentage}%) · ${stats.in_progress} in progress · ${stats.failed} failed · ${stats.needs_input} need input · $${cost.toFixed(4)} · ${status}`;
    return [...(slotLines.length > 0 ? slotLines : ['  (no session running)']), progress];
  }

  private fit(line: string): string {
    const width = Math.max(20, this.out.columns - 1);
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
  }
}

function lastAction(payload: Record<string, unknown>): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v ?? ''));
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  switch (payload.kind) {
    case 'text':
      return `“${oneLine(text(payload.text))}”`;
    case 'tool_call':
      return `→ ${text(payload.tool)} ${oneLine(text(payload.input))}`;
    case 'tool_result':
      return payload.isError === true ? '← error' : '← ok';
    default:
      return '';
  }
}
