/** Number and time formats shared by the Markdown and the HTML report (UTC, so a report reads the same anywhere). */

export const usd = (v: number): string => `$${v.toFixed(2)}`;
export const pct = (v: number | null): string => (v === null ? 'n/a' : `${Math.round(v * 100)}%`);
export const num = (v: number | null, digits = 2): string => (v === null ? 'n/a' : v.toFixed(digits));

export function duration(ms: number | null): string {
  if (ms === null) return 'n/a';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** `2026-12-06 08:30 UTC`. */
export const utc = (at: number | null): string =>
  at === null ? 'n/a' : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A commit as people cite it. */
export const shortSha = (sha: string): string => sha.slice(0, 10);
