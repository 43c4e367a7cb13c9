import type { Theme, ViewportName } from '../shared/design-capture.js';

/** `03-about-mobile-dark.png`: the page's place in the capture, a readable part of its path, viewport and theme. */
export function shotFileName(n: number, path: string, viewport: ViewportName, theme: Theme): string {
  const slug =
    path
      .replace(/[?#].*$/, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'home';
  return `${String(n).padStart(2, '0')}-${slug}-${viewport}-${theme}.png`;
}
