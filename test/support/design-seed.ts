import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DesignFindingReport, ProjectStore } from '../../src/db/ports.js';
import type { AxeCounts, DesignFinding } from '../../src/shared/design.js';
import { CAPTURE_FILE, type DesignCapture } from '../../src/shared/design-capture.js';

/**
 * Fills a real project store with design review iterations the way a runner leaves them: each iteration started,
 * its findings seen, axe counts and votes recorded, finished (which resolves what was not seen again), and its folder
 * written (capture manifest, every screenshot the manifest names, report.md). The Design page's tests read them
 * through the real API routes.
 */
export interface SeedVote {
  readonly persona: string;
  readonly approve: boolean;
  readonly score: number;
  readonly rationale: string;
}

export interface SeedIteration {
  readonly personas: readonly string[];
  /** By a key of the test's choosing, so it can find each finding's id (the store makes the ids). */
  readonly findings?: Readonly<Record<string, DesignFindingReport>>;
  readonly axe: AxeCounts;
  readonly votes: readonly SeedVote[];
  readonly costUsd: number;
  readonly capture: DesignCapture;
  readonly report?: string;
}

/** The PNG bytes a screenshot file gets, from its iteration and path (so a test can tell the files apart). */
export type PngOf = (n: number, file: string) => Buffer;

/** Seeds the iterations in order; returns each finding's record by its key (as last seen). */
export function seedDesign(
  store: ProjectStore,
  iterations: readonly SeedIteration[],
  pngOf: PngOf,
): Record<string, DesignFinding> {
  const found: Record<string, DesignFinding> = {};
  for (const it of iterations) {
    const { n, captureDir } = store.design.start({
      runId: null,
      trigger: 'manual',
      commit: it.capture.commit,
      personas: [...it.personas],
    });
    for (const [key, report] of Object.entries(it.findings ?? {})) found[key] = store.design.see(n, report).finding;
    store.design.recordAxe(n, it.axe);
    for (const v of it.votes) store.design.recordVote(n, { ...v, sessionId: `ses_${v.persona}_${n}`, status: 'voted' });
    const dir = join(store.paths.root, captureDir);
    const write = (file: string, bytes: Buffer | string) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), bytes);
    };
    write(CAPTURE_FILE, JSON.stringify(it.capture));
    for (const page of it.capture.pages) for (const s of page.shots) if (s.file) write(s.file, pngOf(n, s.file));
    if (it.report !== undefined) {
      write('report.md', it.report);
      store.design.setReportPath(n, join(captureDir, 'report.md'));
    }
    store.design.finish(n, { status: 'finished', costUsd: it.costUsd, error: null });
  }
  for (const [key, f] of Object.entries(found)) found[key] = store.design.finding(f.id);
  return found;
}
