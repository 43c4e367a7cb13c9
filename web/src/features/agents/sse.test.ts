import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse';

describe('createSseParser', () => {
  it('returns whole events only, however the text is split', () => {
    const text = 'event: status\ndata: {"state":"waiting"}\n\nevent: frame\ndata: {"a":1}\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const parse = createSseParser();
      const events = [...parse(text.slice(0, cut)), ...parse(text.slice(cut))];
      expect(events).toEqual([
        { event: 'status', data: '{"state":"waiting"}' },
        { event: 'frame', data: '{"a":1}' },
      ]);
    }
  });

  it('keeps an unfinished event for the next piece', () => {
    const parse = createSseParser();
    expect(parse('event: frame\ndata: x')).toEqual([]);
    expect(parse('yz\n\n')).toEqual([{ event: 'frame', data: 'xyz' }]);
  });

  it('joins data lines, reads CRLF, names unnamed events "message", skips comments and empty events', () => {
    const parse = createSseParser();
    expect(parse(': keep-alive\r\n\r\ndata: a\r\ndata: b\r\n\r\nevent: x\n\n')).toEqual([
      { event: 'message', data: 'a\nb' },
    ]);
  });
});
