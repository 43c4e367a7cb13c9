// Costs and durations read the same on every surface (the run's ending in the CLI too): one definition, shared.
export { costText as formatCost, durationText as formatDuration } from '@shared/run-outcome-text';
export function formatTokens(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1_000 ? `${(n / 1_000).toFixed(1)}k` : String(n);
}
export function formatTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
