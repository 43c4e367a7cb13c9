/** Where a live view draws: a terminal stream (process.stdout in production). */
export interface LiveOutput {
  readonly isTTY: boolean;
  readonly columns: number;
  write(text: string): void;
}

const CLEAR_LINE = '\u001b[2K';
const up = (n: number) => (n > 0 ? `\u001b[${n}A` : '');

/**
 * A block of lines redrawn in place on a terminal (cursor up, each line cleared and rewritten), as `top` and the
 * seed's `rich` dashboard do. Lines wider than the terminal are cut, so one line never wraps into two and the cursor
 * arithmetic stays right.
 */
export class InPlaceBlock {
  private drawn = 0;

  constructor(private readonly out: LiveOutput) {}

  draw(lines: readonly string[]): void {
    const width = Math.max(20, this.out.columns - 1);
    const fitted = lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    let text = `${up(this.drawn)}${fitted.map((l) => `${CLEAR_LINE}${l}\n`).join('')}`;
    // Lines left over from a taller previous block are blanked.
    for (let i = fitted.length; i < this.drawn; i += 1) text += `${CLEAR_LINE}\n`;
    if (this.drawn > fitted.length) text += up(this.drawn - fitted.length);
    this.out.write(text);
    this.drawn = fitted.length;
  }

  /** Blanks the block and leaves the cursor where it began (before other output, and at exit). */
  clear(): void {
    if (this.drawn === 0) return;
    this.out.write(`${up(this.drawn)}${`${CLEAR_LINE}\n`.repeat(this.drawn)}${up(this.drawn)}`);
    this.drawn = 0;
  }
}
