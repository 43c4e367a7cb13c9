/**
 * Text from agents and tools (titles, summaries, details) made inert in Markdown: one line, every character Markdown
 * or embedded HTML could act on backslash-escaped, so a title like `<img onerror=…>` stays text.
 */
export function mdInert(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|&#~!]/g, (c) => `\\${c}`);
}
