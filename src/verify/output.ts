import { MASK, type Redactor } from '../security/redactor.js';
import { createRedactingStream } from '../security/redacting-stream.js';

/**
 * What a verification keeps of a program's output: the END (where a failure explains itself),
 * after secrets were masked (a cut first could leave a piece of a secret that no longer matches),
 * saying how much was cut.
 */

/** Characters kept of one check's output, and of the app log's tail. */
export const DEFAULT_OUTPUT_CHARS = 4_000;
export const APP_LOG_TAIL_CHARS = 1_500;

/**
 * Where to cut `text` so that the last `limit` characters remain, never inside a mask (the mask is then kept whole).
 */
function cutPoint(text: string, limit: number): number {
  const start = Math.max(0, text.length - limit);
  if (start === 0) return 0;
  const mask = text.lastIndexOf(MASK, start);
  return mask >= 0 && mask + MASK.length > start ? mask : start;
}

/** The note in front of a text whose start was cut. */
export const cutNote = (cut: number): string => `[… ${cut.toLocaleString('en-US')} earlier characters cut]\n`;

/**
 * The end of an already masked text: at most `limit` characters (plus the note, and a mask the
 * cut would have halved), preceded by how many were cut, counting `alreadyCut` dropped before.
 * Pure.
 */
export function keepEnd(masked: string, limit: number, alreadyCut = 0): string {
  const at = cutPoint(masked, limit);
  const cut = at + alreadyCut;
  return cut === 0 ? masked : `${cutNote(cut)}${masked.slice(at)}`;
}

/** Masks `text` with `redact`, then keeps its end (see keepEnd). */
export function redactThenKeepEnd(redact: Redactor, text: string, limit: number): string {
  return keepEnd(redact(text), limit);
}

/**
 * The masked end of a stream of output pieces, in bounded memory: pieces are masked as they
 * arrive (a secret split between two pieces is still found), and what falls out of the window
 * is only counted.
 */
export interface MaskedTail {
  push(piece: string): void;
  /** The masked end so far, with the note of what was cut; ends the stream's masking (call once, at the end). */
  end(): string;
  /** The masked text so far (the window, without the part still held back), for a tail shown while it runs. */
  peek(limit: number): string;
}

export function createMaskedTail(redact: Redactor, limit: number): MaskedTail {
  const stream = createRedactingStream(redact);
  let window = '';
  let dropped = 0;
  const keep = (text: string) => {
    window += text;
    // Cut the window back only when it is well over the limit, so that cuts are rare.
    if (window.length > limit * 2) {
      const at = cutPoint(window, limit);
      dropped += at;
      window = window.slice(at);
    }
  };
  return {
    push: (piece) => keep(stream.push(piece)),
    end: () => {
      keep(stream.flush());
      return keepEnd(window, limit, dropped);
    },
    peek: (n) => keepEnd(window, n, dropped),
  };
}
