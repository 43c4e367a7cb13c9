import { lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { BrowserLocator } from '../shared/browser-view.js';

/** Descriptors are small JSON files; anything bigger is not one (and is not read whole). */
const MAX_DESCRIPTOR_BYTES = 64 * 1024;

/**
 * The part of a playwright-cli browser descriptor (playwright-core's `serverRegistry`) we read. The file sits in a
 * folder the agent's HOME owns, so nothing in it is trusted beyond what is checked here: in particular its
 * `playwrightLib` (a module path playwright-cli's own `attach` would load) is never used.
 */
const DescriptorSchema = z.looseObject({
  title: z.string(),
  endpoint: z.string(),
  workspaceDir: z.string().optional(),
  browser: z.looseObject({ browserName: z.string() }),
});

/** The real path of `p`, or `p` itself when it cannot be resolved (a folder removed meanwhile). */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * The endpoint of the browser the session of `locator` opened: the unix socket playwright-cli's daemon serves its
 * browser on (the newest descriptor titled with the session's name, from the session's folder, for Chromium). Null
 * while there is none: the session has not opened a browser, or closed it.
 */
export function findBrowserEndpoint(locator: BrowserLocator): string | null {
  let names: string[];
  try {
    names = readdirSync(locator.registry);
  } catch {
    return null; // No browser was ever registered with this HOME.
  }
  const workspace = real(locator.workspace);
  let best: { endpoint: string; at: number } | null = null;
  for (const name of names) {
    const file = join(locator.registry, name);
    try {
      const stat = lstatSync(file);
      if (!stat.isFile() || stat.size > MAX_DESCRIPTOR_BYTES) continue;
      const parsed = DescriptorSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success) continue;
      const d = parsed.data;
      if (d.title !== locator.session || d.browser.browserName !== 'chromium') continue;
      if (d.workspaceDir === undefined || real(d.workspaceDir) !== workspace) continue;
      // Only a local socket: never a network address a descriptor could name.
      if (!isAbsolute(d.endpoint) || !lstatSync(d.endpoint).isSocket()) continue;
      if (!best || stat.mtimeMs > best.at) best = { endpoint: d.endpoint, at: stat.mtimeMs };
    } catch {
      // Unreadable, half-written, not JSON, its socket gone: not this session's live browser.
      continue;
    }
  }
  return best?.endpoint ?? null;
}
