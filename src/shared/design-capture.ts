import { z } from 'zod';

/**
 * A design capture (issue #18): the app at one commit of main, its pages photographed at each viewport and theme, with
 * what axe-core, the console and the network said about each. The manifest (`capture.json` in the iteration folder)
 * is what the persona sessions read beside the screenshots, what the Design gallery shows and what decides whether a
 * serious accessibility problem remains. Browser-safe (zod only): the runner, the API and the web UI share it.
 */

export const CAPTURE_FILE = 'capture.json';
/** Where the screenshots go, inside the iteration folder. */
export const SCREENSHOTS_DIR = 'screenshots';
/** Pages photographed at most per capture (the checks' pages first, then links, `/` always). */
export const MAX_DESIGN_PAGES = 20;

/** The viewports every page is photographed at (CSS pixels, device scale 1: the PNG is as wide as the viewport). */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
} as const;
export const VIEWPORT_NAMES = ['desktop', 'mobile'] as const;
export type ViewportName = (typeof VIEWPORT_NAMES)[number];

/** `dark` only for pages that support `prefers-color-scheme` (a stylesheet rule or `<meta name="color-scheme">`). */
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** How a page was found: a browser acceptance check goes there, a captured page links to it, or it is `/`. */
export const PAGE_SOURCES = ['check', 'link', 'root'] as const;
export type PageSource = (typeof PAGE_SOURCES)[number];

/** axe-core's impact levels, mildest first. Serious and critical ones keep the design loop going. */
export const AXE_IMPACTS = ['minor', 'moderate', 'serious', 'critical'] as const;
export type AxeImpact = (typeof AXE_IMPACTS)[number];
export const BLOCKING_IMPACTS: ReadonlySet<AxeImpact> = new Set(['serious', 'critical']);

/** Target selectors kept per violation, console errors and failed requests kept per screenshot. */
export const MAX_TARGETS = 5;
export const MAX_PAGE_NOTES = 20;

export const AxeViolationSchema = z.object({
  /** The rule, e.g. `image-alt`, `color-contrast`. */
  id: z.string().min(1),
  impact: z.enum(AXE_IMPACTS).nullable(),
  help: z.string(),
  helpUrl: z.string(),
  /** How many elements break the rule. */
  nodes: z.number().int().min(0),
  /** CSS selectors of the first few of them. */
  targets: z.array(z.string()).max(MAX_TARGETS),
  /** What axe says about the first one (e.g. the contrast ratio and the colours), if anything. */
  summary: z.string().nullable(),
});
export type AxeViolation = z.infer<typeof AxeViolationSchema>;

export const FailedRequestSchema = z.object({
  method: z.string(),
  /** The path (and query) on the app; the whole address for another origin (such requests are blocked). */
  url: z.string(),
  /** The HTTP status (≥ 400) when the app answered, else null. */
  status: z.number().int().nullable(),
  /** Why no answer came (`net::ERR_…`, blocked), else null. */
  error: z.string().nullable(),
});
export type FailedRequest = z.infer<typeof FailedRequestSchema>;

export const ShotSchema = z.object({
  viewport: z.enum(VIEWPORT_NAMES),
  theme: z.enum(THEMES),
  /** The full-page PNG, relative to the iteration folder; null when the page could not be photographed. */
  file: z.string().nullable(),
  /**
   * The PNG's size in pixels: the whole page, at least the viewport's size. Wider than the viewport when the page
   * overflows sideways (on mobile, a layout problem the screenshot then shows).
   */
  width: z.number().int().min(0),
  height: z.number().int().min(0),
  /** The HTTP status the page was answered with (null: no response, e.g. a network error). */
  status: z.number().int().nullable(),
  /** Where the page ended up (after redirects), as a path on the app. */
  finalPath: z.string().nullable(),
  axe: z.array(AxeViolationSchema),
  consoleErrors: z.array(z.string()).max(MAX_PAGE_NOTES),
  failedRequests: z.array(FailedRequestSchema).max(MAX_PAGE_NOTES),
  /** Load, screenshot and axe together. */
  durationMs: z.number().int().min(0),
  /** Why this screenshot is missing or incomplete (the page did not load, axe failed…); null when all went well. */
  error: z.string().nullable(),
});
export type Shot = z.infer<typeof ShotSchema>;

export const CapturedPageSchema = z.object({
  /** The path on the app (with its query, never a fragment). */
  path: z.string().startsWith('/'),
  /** The document's title ('' when it has none). */
  title: z.string(),
  via: z.enum(PAGE_SOURCES),
  /** The page whose link led here (null unless `via` is `link`). */
  from: z.string().nullable(),
  /** Whether the page supports `prefers-color-scheme: dark` (then it has dark screenshots too). */
  darkMode: z.boolean(),
  shots: z.array(ShotSchema),
});
export type CapturedPage = z.infer<typeof CapturedPageSchema>;

export const CAPTURE_STATUSES = ['captured', 'failed', 'aborted'] as const;

export const DesignCaptureSchema = z.object({
  version: z.literal(1),
  /** The commit photographed (full sha). */
  commit: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  /** captured: every page was visited (single screenshots may still carry an error); failed/aborted: see `error`. */
  status: z.enum(CAPTURE_STATUSES),
  error: z.string().nullable(),
  pages: z.array(CapturedPageSchema).max(MAX_DESIGN_PAGES),
});
export type DesignCapture = z.infer<typeof DesignCaptureSchema>;

/** One serious or critical violation, where it was seen. */
export interface BlockingViolation {
  readonly path: string;
  readonly viewport: ViewportName;
  readonly theme: Theme;
  readonly id: string;
  readonly impact: AxeImpact;
  readonly nodes: number;
}

/** The serious and critical axe violations of a capture, in page order: none left is one condition of approval. */
export function blockingViolations(capture: DesignCapture): BlockingViolation[] {
  return capture.pages.flatMap((page) =>
    page.shots.flatMap((shot) =>
      shot.axe
        .filter((v) => v.impact !== null && BLOCKING_IMPACTS.has(v.impact))
        .map((v) => ({
          path: page.path,
          viewport: shot.viewport,
          theme: shot.theme,
          id: v.id,
          impact: v.impact as AxeImpact,
          nodes: v.nodes,
        })),
    ),
  );
}
