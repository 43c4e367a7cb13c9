import { z } from 'zod';

/**
 * The app preview ("Open the app", `autocoder preview`): the built app started from main with its `./init.sh` on a
 * preview port, one per project. What `GET/POST/DELETE /api/projects/:name/preview` answer.
 */

/** Who started the preview: the server (the Open the app button, the API) or `autocoder preview` in a terminal. */
export const PREVIEW_OWNERS = ['server', 'cli'] as const;

export const PreviewStateSchema = z.object({
  /** `starting` while its dependencies install and `./init.sh` runs; `running` once its port answers. */
  status: z.enum(['stopped', 'starting', 'running']),
  /** Whether a preview can start: main exists and holds an `./init.sh`. */
  available: z.boolean(),
  /** Why it cannot (no commits on main yet, no init.sh on main), in words a person can act on; null when it can. */
  unavailableReason: z.string().nullable(),
  /** Where the app answers (`http://127.0.0.1:<port>/`); null unless running. */
  url: z.string().nullable(),
  port: z.number().int().nullable(),
  /** The commit of main the preview runs. */
  commit: z.string().nullable(),
  startedAt: z.number().int().nullable(),
  by: z.enum(PREVIEW_OWNERS).nullable(),
  /** Why the last preview the server started failed or ended by itself (with the end of the app's output). */
  lastError: z.string().nullable(),
});
export type PreviewState = z.infer<typeof PreviewStateSchema>;

/** `POST /api/projects/:name/preview`: optionally the port (else a free one is chosen). */
export const PreviewStartRequestSchema = z.strictObject({
  port: z.number().int().min(1_024).max(65_535).optional(),
});
export type PreviewStartRequest = z.infer<typeof PreviewStartRequestSchema>;
