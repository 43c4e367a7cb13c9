/**
 * The charts' colours and text styles: the theme's CSS variables, so the dark theme swaps them with everything else
 * (the Metrics and Design pages' charts).
 */
export const C = {
  ink: 'var(--color-ink)',
  muted: 'var(--color-muted)',
  line: 'var(--color-line)',
  panel: 'var(--color-panel)',
  passing: 'var(--color-st-passing)',
  total: 'var(--color-st-pending)',
  failed: 'var(--color-st-failed)',
  accent: 'var(--color-accent)',
};
export const tick = { fill: C.muted, fontSize: 12 };
export const tooltipStyle = { background: C.panel, border: `1px solid ${C.line}`, color: C.ink, borderRadius: 8 };
