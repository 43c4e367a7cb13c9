import type { ProjectPaths } from '../config/paths.js';
import type { Logger } from '../logging/logger.js';
import type { PreviewState } from '../shared/preview.js';
import {
  recordedPreviewState,
  startPreview,
  stopRecordedPreview,
  type PreviewOptions,
  type RunningPreview,
} from './preview.js';

/**
 * The server's previews: at most one per project (the record on disk also keeps out a terminal's `autocoder preview`),
 * watched while they run, all stopped when the server closes. A preview that ends by itself (it crashed, or was
 * stopped from a terminal) is cleaned up and its reason kept for the next `GET`.
 */
export interface PreviewManager {
  /** The project's preview as the UI shows it (also one a terminal started). */
  state(paths: ProjectPaths): PreviewState;
  /** Starts the preview and resolves once it answers; the running one when it runs already (or is starting). */
  start(paths: ProjectPaths, options: () => Omit<PreviewOptions, 'paths' | 'by' | 'logger'>): Promise<PreviewState>;
  /** Stops the project's preview, whoever started it; resolves once its processes are gone. */
  stop(paths: ProjectPaths): Promise<PreviewState>;
  /** Stops every preview it started (the server closes). */
  close(): Promise<void>;
}

interface Entry {
  starting: Promise<RunningPreview> | null;
  abort: AbortController | null;
  running: RunningPreview | null;
  lastError: string | null;
}

export function createPreviewManager(logger: Logger): PreviewManager {
  const entries = new Map<string, Entry>();
  let closed = false;
  const entryOf = (paths: ProjectPaths): Entry => {
    let e = entries.get(paths.root);
    if (!e) {
      e = { starting: null, abort: null, running: null, lastError: null };
      entries.set(paths.root, e);
    }
    return e;
  };
  const state = (paths: ProjectPaths) => recordedPreviewState(paths, entries.get(paths.root)?.lastError ?? null);

  return {
    state,
    async start(paths, options) {
      if (closed) throw new Error('the server is closing');
      const e = entryOf(paths);
      if (e.running) return state(paths);
      if (!e.starting) {
        const abort = new AbortController();
        e.abort = abort;
        e.lastError = null;
        e.starting = startPreview({ ...options(), paths, by: 'server', logger }, abort.signal);
        e.starting.then(
          (preview) => {
            e.running = preview;
            e.starting = null;
            e.abort = null;
            void preview.ended.then(async (reason) => {
              // Stopped by us: nothing to report. Ended by itself: clean up and keep why for the UI.
              if (e.running !== preview) return;
              e.running = null;
              e.lastError = reason;
              if (reason !== null) logger.warn({ project: paths.root, reason }, 'preview ended by itself');
              await preview.stop().catch((err: unknown) => logger.warn({ err }, 'could not clean up after a preview'));
            });
          },
          (err: unknown) => {
            e.starting = null;
            e.abort = null;
            e.lastError = err instanceof Error ? err.message : String(err);
          },
        );
      }
      await e.starting;
      return state(paths);
    },
    async stop(paths) {
      const e = entries.get(paths.root);
      if (e?.running) {
        const preview = e.running;
        e.running = null;
        await preview.stop();
      } else if (e?.starting) {
        e.abort?.abort();
        await e.starting.catch(() => undefined);
        e.lastError = null;
        // It may have come up just before the abort.
        const preview = e.running as RunningPreview | null;
        e.running = null;
        await preview?.stop();
      } else {
        await stopRecordedPreview(paths);
      }
      return state(paths);
    },
    async close() {
      closed = true;
      await Promise.all(
        [...entries.values()].map(async (e) => {
          e.abort?.abort();
          await e.starting?.catch(() => undefined);
          const preview = e.running;
          e.running = null;
          await preview?.stop();
        }),
      );
    },
  };
}
