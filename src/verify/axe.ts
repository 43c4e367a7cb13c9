import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { z } from 'zod';

const require = createRequire(import.meta.url);
/** axe-core's browser build, read once: injected into a page (through the DevTools protocol) before it is run. */
export const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Injects axe-core into the page's current document (a no-op where it is already). */
export async function injectAxe(page: Page): Promise<void> {
  await page.evaluate(AXE_SOURCE);
}

const RuleResultSchema = z.object({
  known: z.boolean(),
  nodes: z.array(z.object({ target: z.string(), summary: z.string().nullable() })),
});

/** Elements listed in a failure (the rest are counted). */
const LISTED = 3;

/**
 * One axe-core rule over the page as it is now: null when nothing violates it, else why (how many elements, the first
 * few with axe's own summary). An id axe does not know is an error a check's author must see, not a pass.
 */
export async function axeRuleFailure(page: Page, rule: string): Promise<string | null> {
  await injectAxe(page);
  const result = RuleResultSchema.parse(
    await page.evaluate(`(async () => {
      const rule = ${JSON.stringify(rule)};
      if (!window.axe.getRules().some((r) => r.ruleId === rule)) return { known: false, nodes: [] };
      const result = await window.axe.run(document, { runOnly: { type: 'rule', values: [rule] }, resultTypes: ['violations'] });
      const nodes = result.violations.flatMap((v) => v.nodes).map((n) => ({
        target: n.target.map((t) => Array.isArray(t) ? t.join(' ') : String(t)).join(' >>> '),
        summary: n.failureSummary ? String(n.failureSummary).replace(/\\s+/g, ' ').slice(0, 300) : null,
      }));
      return { known: true, nodes };
    })()`),
  );
  if (!result.known) return `axe-core has no rule "${rule}"`;
  const n = result.nodes.length;
  if (n === 0) return null;
  const listed = result.nodes
    .slice(0, LISTED)
    .map((node) => `${node.target}${node.summary ? ` (${node.summary})` : ''}`)
    .join('; ');
  return `axe rule ${rule}: ${n} element${n === 1 ? '' : 's'} violate${n === 1 ? 's' : ''} it: ${listed}${n > LISTED ? `; and ${n - LISTED} more` : ''}`;
}
