import type { AcceptanceCheck } from '../shared/acceptance.js';
import { MAX_DESIGN_PAGES, type PageSource } from '../shared/design-capture.js';

/**
 * Which pages a design capture photographs, and in what order: first the pages the project's browser acceptance checks
 * go to (what the features are about), then pages linked from captured pages, breadth first (what a visitor reaches),
 * and `/` always. Paths are normalised (no fragment, no duplicates, only the app's own origin, only http(s)), at most
 * MAX_DESIGN_PAGES. Pure: the capture feeds it the links it finds.
 */

export interface PageToVisit {
  /** Path and query on the app, e.g. `/todos?filter=done`. */
  readonly path: string;
  readonly via: PageSource;
  /** The page whose link led here (links only). */
  readonly from: string | null;
}

/** Stands in for the app's origin when a path from a check is normalised (it never leaves this module). */
const PLACEHOLDER_ORIGIN = 'http://app.invalid';

/** Files a link may point at that are not pages (a download, an image): opening them shows nothing to judge. */
const NOT_A_PAGE =
  /\.(png|jpe?g|gif|webp|avif|svg|ico|bmp|pdf|zip|gz|tgz|tar|7z|rar|csv|xlsx?|docx?|pptx?|mp3|mp4|webm|ogg|wav|mov|avi|woff2?|ttf|otf|eot|js|mjs|css|map|json|xml|txt|wasm|exe|dmg|apk)$/i;

/** Hosts that all mean "this machine": a link to localhost reaches the app served on 127.0.0.1. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function sameApp(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port) return false;
  return a.hostname === b.hostname || (LOOPBACK.has(a.hostname) && LOOPBACK.has(b.hostname));
}

/**
 * A link as a path on the app, or null when it leaves the app (another origin, `mailto:`, `javascript:`…), is not a
 * page (a file to download) or is no address at all. Relative links resolve against the page they were found on.
 */
export function appPathOf(href: string, pageUrl: string, origin: string): string | null {
  let url: URL;
  let base: URL;
  try {
    base = new URL(origin);
    url = new URL(href.trim(), pageUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!sameApp(url, base)) return null;
  if (NOT_A_PAGE.test(url.pathname)) return null;
  return `${url.pathname}${url.search}`;
}

/** The `goto` paths of the browser checks, in order, normalised and without duplicates. */
export function checkPaths(checks: readonly AcceptanceCheck[]): string[] {
  const paths: string[] = [];
  for (const check of checks) {
    if (check.kind !== 'browser') continue;
    for (const step of check.steps) {
      if (!('goto' in step)) continue;
      const path = appPathOf(step.goto, `${PLACEHOLDER_ORIGIN}/`, PLACEHOLDER_ORIGIN);
      if (path !== null && !paths.includes(path)) paths.push(path);
    }
  }
  return paths;
}

export interface PageDiscovery {
  /** The next page to visit, or undefined when every known page was handed out. */
  next(): PageToVisit | undefined;
  /** The links found on a visited page (hrefs as written, resolved against `pageUrl`, the page's address). */
  addLinks(from: string, hrefs: readonly string[], pageUrl: string): void;
  /** Every page known so far, in visiting order. */
  pages(): readonly PageToVisit[];
}

/**
 * The pages of a capture: the checks' pages and `/` first (`/` keeps its place even when the checks name more pages
 * than fit), then links in the order they are found; visiting them in order is breadth first.
 */
export function discoverPages(
  checks: readonly AcceptanceCheck[],
  origin: string,
  max: number = MAX_DESIGN_PAGES,
): PageDiscovery {
  if (!Number.isInteger(max) || max < 1) throw new Error(`at least one page must be captured (max is ${max})`);
  const fromChecks = checkPaths(checks);
  const known: PageToVisit[] = [];
  const seen = new Set<string>();
  const add = (page: PageToVisit) => {
    if (seen.has(page.path) || known.length >= max) return;
    seen.add(page.path);
    known.push(page);
  };
  const hasRoot = fromChecks.includes('/');
  for (const path of fromChecks.slice(0, hasRoot ? max : max - 1)) add({ path, via: 'check', from: null });
  add({ path: '/', via: 'root', from: null });
  let cursor = 0;
  return {
    next: () => known[cursor++],
    addLinks(from, hrefs, pageUrl) {
      for (const href of hrefs) {
        const path = appPathOf(href, pageUrl, origin);
        if (path !== null) add({ path, via: 'link', from });
      }
    },
    pages: () => [...known],
  };
}
