/**
 * Time until the web UI is interactive in Chromium with a large backlog: the board of a project
 * with 2,000 features (target < 1 s) and the dependency graph of one with 500 features and their
 * dependencies (target < 2 s). A real `autocoder serve` on 127.0.0.1 with its own
 * AUTOCODER_HOME serves the built UI (web/dist, rebuilt first when stale) to Debian's Chromium,
 * headless, at 1400×900. Times run from the page's navigation start (performance.now() in the
 * page), so they include fetching the HTML, the bundle and the API responses.
 *
 * What "interactive" means here — the page has drawn what a user looks at, and answers them:
 * - board: the frame in which all six lanes are in the DOM (the board renders in one commit, so
 *   every card shown is too) has been laid out and painted; then Space is pressed on the first
 *   drag handle of the Ready lane; the time is when dnd-kit's live region announces the drag
 *   (then Escape cancels it).
 * - graph: React Flow has measured and shown every node it renders, that frame has been painted,
 *   and neither the set of nodes nor the viewport transform (fitView) changes for two more
 *   frames; afterwards the bench checks that every node the viewport shows was rendered (from
 *   the page's own layout function). Then the node nearest the middle is clicked; the time is
 *   when the feature drawer ([data-testid="feature-drawer"], filled from GET /features/{id})
 *   appears.
 * "rendered" is the first half alone.
 *
 * The first load of each page in a new browser context (empty HTTP cache) is reported as
 * "cold"; then RUNS more loads in that context as "warm" (median and max; max is the p95 of so
 * few runs). Wall times grow with the machine's load, so the bench also prints the CPU time the
 * page's main thread used until it answered (CDP ThreadTime), which load changes much less. The
 * JS heap is CDP's JSHeapUsedSize after the interaction and a forced GC.
 * Prints figures, never asserts: this machine is shared and noisy.
 */
import { availableParallelism, loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FeatureGraphSchema } from '../src/shared/api.js';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from '../web/src/features/graph/layout.js';
import {
  launchChromium,
  seedProject,
  startUiServer,
  watchPageErrors,
  type UiServer,
} from '../test/support/ui-fixture.js';

const RUNS = 5;
const VIEWPORT = { width: 1400, height: 900 };
const BOARD = { name: 'board-2000', count: 2_000, passing: 800, targetMs: 1_000 };
const GRAPH = { name: 'graph-500', count: 500, passing: 150, targetMs: 2_000 };
const TIMEOUT_MS = 60_000;

/**
 * Runs in the page before its own scripts (plain JS: the bench is compiled without DOM types;
 * passed as an init script, which the UI's CSP allows). Checks the "rendered" condition every
 * animation frame; once it holds, queues the interaction as a task (setTimeout 0, so it waits
 * behind whatever the page has already queued, as a user's input would) and dispatches it in the
 * page: Playwright's round trips on this 2-core machine add 100–300 ms of harness noise. A
 * MutationObserver records when the page answers (not rounded to frames). Marks are ms since
 * navigation start.
 */
const PAGE_PROBE = String.raw`(() => {
  const B = (window.__bench = { marks: {}, info: {} });
  const mark = (k) => { if (B.marks[k] === undefined) B.marks[k] = performance.now(); };
  const isGraph = location.pathname.endsWith('/graph');
  const LANES = ['ready', 'blocked', 'in_progress', 'needs_input', 'passing', 'failed'];
  const key = (el, key, code) => el.dispatchEvent(new KeyboardEvent('keydown', { key, code, bubbles: true, cancelable: true }));
  const pickUp = () => {
    const handle = document.querySelector('[data-testid="lane-ready"] button[aria-label^="Move #"]');
    B.info.handle = handle.getAttribute('aria-label');
    handle.focus();
    key(handle, ' ', 'Space');
  };
  const clickNode = () => {
    const pane = document.querySelector('.react-flow').getBoundingClientRect();
    const cx = pane.left + pane.width / 2, cy = pane.top + pane.height / 2;
    let best = null, bestD = Infinity;
    for (const n of document.querySelectorAll('.react-flow__node')) {
      const r = n.getBoundingClientRect();
      const d = Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy);
      if (d < bestD) { bestD = d; best = n; }
    }
    const r = best.getBoundingClientRect();
    B.info.clicked = { id: best.getAttribute('data-id'), width: r.width, height: r.height };
    best.click();
  };
  let since = null, sig = null, frames = 0;
  const frame = () => {
    if (!isGraph) {
      if (LANES.every((l) => document.querySelector('[data-testid="lane-' + l + '"]'))) {
        B.info.cards = document.querySelectorAll('article[data-testid^="card-"]').length;
        // A task queued from the frame runs after its style, layout and paint.
        setTimeout(() => { mark('rendered'); pickUp(); }, 0);
        return;
      }
    } else {
      const nodes = document.querySelectorAll('.react-flow__node');
      const vp = document.querySelector('.react-flow__viewport');
      let hidden = 0;
      for (const n of nodes) if (n.style.visibility === 'hidden') hidden++;
      const s = nodes.length > 0 && vp && hidden === 0 ? nodes.length + '|' + vp.style.transform : null;
      if (s === null) { since = null; sig = null; frames = 0; }
      else if (s !== sig) {
        sig = s; frames = 0; since = null;
        setTimeout(() => { if (sig === s) since = performance.now(); }, 0); // after this frame's paint
      } else if (++frames >= 2 && since !== null) {
        B.marks.rendered = since;
        const pane = document.querySelector('.react-flow').getBoundingClientRect();
        B.info.pane = { width: pane.width, height: pane.height };
        B.info.ids = [...nodes].map((n) => Number(n.getAttribute('data-id')));
        B.info.transform = vp.style.transform;
        setTimeout(clickNode, 0);
        return;
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new MutationObserver(() => {
    const live = document.querySelector('[id^="DndLiveRegion"]');
    const text = live ? live.textContent || '' : '';
    if (text !== '' && B.marks.pickedUp === undefined) {
      mark('pickedUp');
      B.info.announced = text;
      setTimeout(() => key(document.activeElement || document.body, 'Escape', 'Escape'), 0);
    }
    if (text.includes('was cancelled')) mark('cancelled');
    if (document.querySelector('[data-testid="feature-drawer"]')) mark('drawer');
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

interface Sample {
  renderedMs: number;
  interactiveMs: number;
  /** Renderer main-thread CPU from navigation until the page has answered (and the drag is cancelled). */
  cpuMs: number;
  heapMb: number;
  detail: string;
}

function ensureUiBuilt(): void {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'ensure-ui.js')], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('the web UI did not build');
}

/** The page's CDP metrics: renderer main-thread CPU time, and the JS heap after a forced GC. */
async function metrics(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const get = async (name: string) =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? NaN;
  return {
    /** Seconds of CPU the renderer's main thread has used (ThreadTime): load-independent, unlike wall time. */
    cpuSeconds: () => get('ThreadTime'),
    heapAfterGcMb: async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await get('JSHeapUsedSize')) / 1024 / 1024;
    },
    detach: () => cdp.detach(),
  };
}

interface ProbeGlobal {
  __bench: { marks: Record<string, number> };
}

/** Waits for a mark of PAGE_PROBE (a function, not a string: the UI's CSP forbids eval). */
async function waitMark(page: Page, name: string): Promise<void> {
  await page.waitForFunction((n) => (globalThis as unknown as ProbeGlobal).__bench.marks[n] !== undefined, name, {
    timeout: TIMEOUT_MS,
  });
}

async function probe<T>(page: Page): Promise<{ marks: Record<string, number>; info: T }> {
  return (await page.evaluate('window.__bench')) as { marks: Record<string, number>; info: T };
}

async function loadBoard(context: BrowserContext, ui: UiServer, errors: string[]): Promise<Sample> {
  const page = await context.newPage();
  const pageErrors = watchPageErrors(page);
  try {
    const m = await metrics(page);
    const cpu0 = await m.cpuSeconds();
    await page.goto(`${ui.url}/projects/${BOARD.name}/board`, { waitUntil: 'commit' });
    await waitMark(page, 'cancelled');
    const cpuMs = ((await m.cpuSeconds()) - cpu0) * 1000;
    const { marks, info } = await probe<{ cards: number; handle: string; announced: string }>(page);
    const heapMb = await m.heapAfterGcMb();
    await m.detach();
    if (!info.announced.includes(info.handle.replace(/^Move /, '')))
      errors.push(`board: focused "${info.handle}" but the live region said "${info.announced}"`);
    return {
      renderedMs: marks['rendered']!,
      interactiveMs: marks['pickedUp']!,
      cpuMs,
      heapMb,
      detail: `${info.cards} cards rendered`,
    };
  } finally {
    errors.push(...pageErrors);
    await page.close();
  }
}

interface GraphInfo {
  ids: number[];
  transform: string;
  pane: { width: number; height: number };
  clicked: { id: string; width: number; height: number };
}

/** The ids of the nodes a viewport shows (even in part), from the page's own layout function. */
function nodesInView(
  positions: Map<number, { x: number; y: number }>,
  transform: string,
  pane: { width: number; height: number },
): Set<number> {
  const m = /translate\((-?[\d.e+-]+)px, (-?[\d.e+-]+)px\) scale\(([\d.e+-]+)\)/.exec(transform);
  if (!m) throw new Error(`unexpected React Flow viewport transform "${transform}"`);
  const [tx, ty, z] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const out = new Set<number>();
  for (const [id, p] of positions) {
    const left = p.x * z + tx;
    const top = p.y * z + ty;
    if (left + NODE_WIDTH * z > 0 && left < pane.width && top + NODE_HEIGHT * z > 0 && top < pane.height) out.add(id);
  }
  return out;
}

function graphLoader(positions: Map<number, { x: number; y: number }>) {
  return async (context: BrowserContext, ui: UiServer, errors: string[]): Promise<Sample> => {
    const page = await context.newPage();
    const pageErrors = watchPageErrors(page);
    try {
      const m = await metrics(page);
      const cpu0 = await m.cpuSeconds();
      await page.goto(`${ui.url}/projects/${GRAPH.name}/graph`, { waitUntil: 'commit' });
      await waitMark(page, 'drawer');
      const cpuMs = ((await m.cpuSeconds()) - cpu0) * 1000;
      const { marks, info } = await probe<GraphInfo>(page);
      const heapMb = await m.heapAfterGcMb();
      await m.detach();
      const feature = new URL(page.url()).searchParams.get('feature');
      if (feature !== info.clicked.id)
        errors.push(`graph: clicked node ${info.clicked.id} but the URL says feature=${feature}`);
      const expected = nodesInView(positions, info.transform, info.pane);
      const rendered = new Set(info.ids);
      const missing = [...expected].filter((id) => !rendered.has(id)).length;
      const zoom = /scale\(([\d.e+-]+)\)/.exec(info.transform)?.[1];
      return {
        renderedMs: marks['rendered']!,
        interactiveMs: marks['drawer']!,
        cpuMs,
        heapMb,
        detail: `${rendered.size} nodes rendered, ${expected.size} in view (${missing} missing) at zoom ${Number(zoom).toFixed(3)}, a node is ${info.clicked.width.toFixed(0)}×${info.clicked.height.toFixed(0)} px`,
      };
    } finally {
      errors.push(...pageErrors);
      await page.close();
    }
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`.padStart(9);

async function measure(
  browser: Browser,
  ui: UiServer,
  label: string,
  targetMs: number,
  load: (c: BrowserContext, ui: UiServer, errors: string[]) => Promise<Sample>,
): Promise<void> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const errors: string[] = [];
  try {
    await context.addInitScript({ content: PAGE_PROBE });
    const cold = await load(context, ui, errors);
    const warm: Sample[] = [];
    for (let i = 0; i < RUNS; i++) warm.push(await load(context, ui, errors));
    const row = (what: string, pick: (s: Sample) => number, target: string) =>
      console.log(
        `${`${label} ${what}`.padEnd(22)} ${ms(pick(cold))}   ${ms(median(warm.map(pick)))}   ${ms(Math.max(...warm.map(pick)))}   ${target}`,
      );
    row('rendered', (s) => s.renderedMs, '');
    row('interactive', (s) => s.interactiveMs, `< ${targetMs.toLocaleString('en-US')} ms`);
    row('main-thread CPU', (s) => s.cpuMs, '');
    console.log(
      `${''.padEnd(22)} JS heap ${cold.heapMb.toFixed(1)} MB cold, ${median(warm.map((s) => s.heapMb)).toFixed(1)} MB warm median; ${warm.at(-1)!.detail}`,
    );
    for (const e of [...new Set(errors)]) console.log(`${''.padEnd(22)} page error: ${e}`);
  } finally {
    await context.close();
  }
}

export async function run(): Promise<void> {
  ensureUiBuilt();
  const ui = await startUiServer();
  let browser: Browser | undefined;
  try {
    seedProject(ui, BOARD.name, { count: BOARD.count, passing: BOARD.passing, inProgress: true });
    seedProject(ui, GRAPH.name, { count: GRAPH.count, passing: GRAPH.passing, inProgress: true });
    browser = await launchChromium();
    console.log(
      `board: ${BOARD.count.toLocaleString('en-US')} features (${BOARD.passing} passing, 1 in progress, the rest ready or blocked); graph: ${GRAPH.count} features with dependencies (${GRAPH.passing} passing)`,
    );
    console.log(
      `headless Chromium ${browser.version()} at ${VIEWPORT.width}×${VIEWPORT.height}; ms from navigation start; cold = first load in a new browser context, warm = ${RUNS} more loads`,
    );
    console.log(
      'interactive = rendered, then the page answers: board = all lanes rendered, then Space on a drag handle is announced by dnd-kit;',
    );
    console.log(
      'graph = every node in view rendered and shown, fitted viewport stable for 2 frames, then a click on a node opens the feature drawer\n',
    );
    console.log(
      `${''.padEnd(22)} ${'cold'.padStart(9)}   ${'warm med'.padStart(9)}   ${'warm max'.padStart(9)}   target`,
    );
    await measure(browser, ui, 'board', BOARD.targetMs, loadBoard);
    const graph = FeatureGraphSchema.parse(
      await (await fetch(`${ui.url}/api/projects/${GRAPH.name}/features/graph`)).json(),
    );
    await measure(browser, ui, 'graph', GRAPH.targetMs, graphLoader(layoutGraph(graph)));
    console.log(
      `\nmachine load: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (1/5/15 min) on ${availableParallelism()} cores`,
    );
  } finally {
    await browser?.close();
    await ui.close();
  }
}
