import confetti from 'canvas-confetti';

export function prefersReducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

/**
 * Confetti when the whole backlog passes. Skipped when the user asked for reduced motion; no
 * worker (the CSP allows scripts from this origin only, and a blob: worker is not that).
 */
export function celebrateAllPassing(): boolean {
  if (prefersReducedMotion()) return false;
  const fire = confetti.create(undefined, { resize: true, useWorker: false, disableForReducedMotion: true });
  void fire({ particleCount: 140, spread: 75, origin: { y: 0.65 }, disableForReducedMotion: true });
  setTimeout(() => void fire({ particleCount: 90, angle: 60, spread: 60, origin: { x: 0, y: 0.7 } }), 250);
  setTimeout(() => void fire({ particleCount: 90, angle: 120, spread: 60, origin: { x: 1, y: 0.7 } }), 400);
  return true;
}
