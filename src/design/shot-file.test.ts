import { describe, expect, it } from 'vitest';
import { shotFileName } from './shot-file.js';

describe('shotFileName', () => {
  it('names a screenshot by the page’s place, a readable part of its path, the viewport and the theme', () => {
    expect(shotFileName(1, '/', 'desktop', 'light')).toBe('01-home-desktop-light.png');
    expect(shotFileName(3, '/About/Team_Members', 'mobile', 'dark')).toBe('03-about-team-members-mobile-dark.png');
    expect(shotFileName(12, '/search?q=shoes&page=2', 'desktop', 'dark')).toBe('12-search-desktop-dark.png');
    expect(shotFileName(4, '/%E2%9C%93/../x', 'mobile', 'light')).toBe('04-e2-9c-93-x-mobile-light.png');
  });

  it('keeps long paths short and never ends the readable part with a dash', () => {
    const name = shotFileName(2, `/${'a'.repeat(39)}/b/c`, 'desktop', 'light');
    expect(name).toBe(`02-${'a'.repeat(39)}-desktop-light.png`);
    expect(shotFileName(5, '/----', 'mobile', 'light')).toBe('05-home-mobile-light.png');
  });
});
