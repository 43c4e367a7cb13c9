import { applyRanges, type Redactor } from './redactor.js';

/**
 * Masks text that arrives in pieces (streamed model text, a child's stderr chunks), where a
 * secret may be split between two pieces and neither half matches alone. `push` returns what is
 * safe to pass on now and holds back the tail that could be the start of a secret; `flush`
 * (at the end of the message or stream) returns the rest, masked.
 */
export interface RedactingStream {
  push(piece: string): string;
  flush(): string;
}

export function createRedactingStream(redact: Redactor): RedactingStream {
  let held = '';
  return {
    push(piece) {
      const text = held + piece;
      const ranges = redact.ranges(text);
      let cut = redact.pendingStart(text);
      // Never cut through a secret that is already complete: it goes out whole next time.
      for (const [start, end] of ranges) if (start < cut && end > cut) cut = start;
      held = text.slice(cut);
      return applyRanges(
        text.slice(0, cut),
        ranges.filter(([, end]) => end <= cut),
      );
    },
    flush() {
      const rest = redact(held);
      held = '';
      return rest;
    },
  };
}
