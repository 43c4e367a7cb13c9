import type { Page } from 'playwright-core';
import { z } from 'zod';
import { AXE_IMPACTS, MAX_TARGETS, type AxeViolation } from '../shared/design-capture.js';
import { injectAxe } from '../verify/axe.js';

/**
 * What a design capture asks a page, run inside it. The scripts are plain JavaScript expressions (our TypeScript has
 * no DOM types), evaluated through the DevTools protocol so the page's Content-Security-Policy stays as it is; what
 * they return comes from the app's page and is validated like any input.
 */

/** Links kept per page (a page listing thousands of items needs only its first few to be followed). */
const MAX_LINKS = 500;
const MAX_SUMMARY_CHARS = 500;

/**
 * Whether the page supports a dark theme — a stylesheet rule (or a whole stylesheet) under
 * `prefers-color-scheme: dark`, `<meta name="color-scheme">` or the root's `color-scheme` naming dark — its links
 * (resolved by the page itself, so `<base>` counts) and its title. Stylesheets of another origin cannot be read
 * (CSSOM throws): they are skipped.
 */
const SURVEY = `(() => {
  const darkQuery = /prefers-color-scheme\\s*:\\s*dark/i;
  const inRules = (rules) => {
    for (const rule of rules) {
      if (rule.media && darkQuery.test(rule.media.mediaText)) return true;
      if (rule.conditionText && darkQuery.test(rule.conditionText)) return true;
      if (rule.cssRules && inRules(rule.cssRules)) return true;
    }
    return false;
  };
  const sheetSaysDark = (sheet) => {
    try {
      if (sheet.media && darkQuery.test(sheet.media.mediaText)) return true;
      return inRules(sheet.cssRules);
    } catch {
      return false;
    }
  };
  const meta = document.querySelector('meta[name="color-scheme"]');
  const metaDark = meta !== null && /\\bdark\\b/i.test(meta.getAttribute('content') || '');
  const rootDark = /\\bdark\\b/i.test(getComputedStyle(document.documentElement).colorScheme || '');
  const dark = metaDark || rootDark || [...document.styleSheets].some(sheetSaysDark);
  const links = [...document.querySelectorAll('a[href], area[href]')]
    .map((a) => a.href)
    .filter((href) => typeof href === 'string')
    .slice(0, ${MAX_LINKS});
  return { dark, links, title: document.title || '' };
})()`;

const SurveySchema = z.object({
  dark: z.boolean(),
  links: z.array(z.string()).max(MAX_LINKS),
  title: z.string(),
});
export type PageSurvey = z.infer<typeof SurveySchema>;

export async function surveyPage(page: Page): Promise<PageSurvey> {
  return SurveySchema.parse(await page.evaluate(SURVEY));
}

/** axe-core over the whole document (its default rules), violations only, cut to what the manifest keeps. */
const AXE_RUN = `(async () => {
  const result = await window.axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact || null,
    help: v.help || '',
    helpUrl: v.helpUrl || '',
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, ${MAX_TARGETS}).map((n) => n.target.map((t) => Array.isArray(t) ? t.join(' ') : String(t)).join(' >>> ')),
    summary: v.nodes[0] && v.nodes[0].failureSummary ? String(v.nodes[0].failureSummary).slice(0, ${MAX_SUMMARY_CHARS}) : null,
  }));
})()`;

const AxeResultSchema = z.array(
  z.object({
    id: z.string().min(1),
    impact: z.enum(AXE_IMPACTS).nullable(),
    help: z.string(),
    helpUrl: z.string(),
    nodes: z.number().int().min(0),
    targets: z.array(z.string()).max(MAX_TARGETS),
    summary: z.string().nullable(),
  }),
);

/** Injects axe-core into the page (once per document) and runs it. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await injectAxe(page);
  return AxeResultSchema.parse(await page.evaluate(AXE_RUN));
}
