import { z } from 'zod';

/**
 * Where an agent session's browser can be found once `playwright-cli` opened it: the runner records this with the
 * session (`session.started`), the server's live browser view reads it. playwright-cli registers the browser it
 * launched in a folder of descriptors (`<cache>/ms-playwright/b/`, one JSON file per browser, titled with the
 * session's `PLAYWRIGHT_CLI_SESSION` and naming the folder it ran in): the same registry its own `attach` and
 * dashboard read.
 */
export const BrowserLocatorSchema = z
  .object({
    /** The session's `PLAYWRIGHT_CLI_SESSION`: the descriptor's title. */
    session: z.string().min(1).max(100),
    /** The descriptor folder of the session's HOME. */
    registry: z.string().min(1).max(4096),
    /** The folder the session works in (its worktree): the descriptor's `workspaceDir`. */
    workspace: z.string().min(1).max(4096),
  })
  .strict();
export type BrowserLocator = z.infer<typeof BrowserLocatorSchema>;

/** The live browser view stream's messages (`GET /api/projects/{name}/sessions/{id}/browser`, server-sent events). */
export const BrowserFrameSchema = z
  .object({
    /** The page's JPEG, base64. */
    image: z.string().min(1),
    url: z.string(),
    title: z.string(),
    width: z.number().int().nonnegative(),
    height: z.number().int().nonnegative(),
    /** When the frame was taken (ms since the epoch). */
    at: z.number().int(),
  })
  .strict();
export type BrowserFrame = z.infer<typeof BrowserFrameSchema>;

/**
 * What the stream says besides frames: `waiting` (the session has not opened a browser yet, or it closed the one it
 * had and may open another), `watching` (connected; frames follow whenever the page changes, at most one a second),
 * `ended` (the session is over: the stream closes).
 */
export const BROWSER_VIEW_STATES = ['waiting', 'watching', 'ended'] as const;
export const BrowserViewStatusSchema = z.object({ state: z.enum(BROWSER_VIEW_STATES) }).strict();
export type BrowserViewStatus = z.infer<typeof BrowserViewStatusSchema>;
export type BrowserViewState = (typeof BROWSER_VIEW_STATES)[number];

/** The SSE event names of the stream, with the schema of their `data`. */
export const BROWSER_VIEW_EVENTS = { frame: BrowserFrameSchema, status: BrowserViewStatusSchema } as const;
