/** One server-sent event: its name (`message` when the server named none) and its data lines joined. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Reads server-sent events from text that arrives in pieces (any split: mid-line, mid-event). Feed it each piece;
 * it returns the events completed so far and keeps the rest for the next piece. Comments and unknown fields are
 * skipped, as the EventSource specification says.
 */
export function createSseParser(): (chunk: string) => SseEvent[] {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    const events: SseEvent[] = [];
    // An event ends at a blank line; "\r\n" and "\r" end lines too.
    const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) events.push({ event, data: data.join('\n') });
    }
    return events;
  };
}
