import { describe, expect, it } from 'vitest';
import { atBottom, followsAfterScroll } from './follow';

describe('followsAfterScroll', () => {
  it('keeps following when the scroll event comes after newer lines grew the list below where the pane put itself', () => {
    // The pane scrolled to 800 (the bottom then); two lines (36 px) arrived before the browser fired the event.
    expect(followsAfterScroll({ scrollTop: 800, scrollHeight: 1060, clientHeight: 224 }, 800, true)).toBe(true);
  });

  it('stops when the person scrolls up from where the pane put itself', () => {
    expect(followsAfterScroll({ scrollTop: 600, scrollHeight: 1024, clientHeight: 224 }, 800, true)).toBe(false);
  });

  it('resumes when the person scrolls back to the bottom, and not before', () => {
    expect(followsAfterScroll({ scrollTop: 700, scrollHeight: 1024, clientHeight: 224 }, 800, false)).toBe(false);
    expect(followsAfterScroll({ scrollTop: 800, scrollHeight: 1024, clientHeight: 224 }, 800, false)).toBe(true);
  });

  it('counts a position clamped to a shorter list (old lines dropped) as the bottom', () => {
    expect(followsAfterScroll({ scrollTop: 780, scrollHeight: 1004, clientHeight: 224 }, 800, true)).toBe(true);
  });

  it('treats a scroll away from the bottom before the pane placed itself as the person’s', () => {
    expect(followsAfterScroll({ scrollTop: 0, scrollHeight: 1024, clientHeight: 224 }, null, true)).toBe(false);
  });

  it('allows sub-pixel slack at the bottom', () => {
    expect(atBottom({ scrollTop: 797.5, scrollHeight: 1024, clientHeight: 224 })).toBe(true);
    expect(atBottom({ scrollTop: 790, scrollHeight: 1024, clientHeight: 224 })).toBe(false);
  });
});
