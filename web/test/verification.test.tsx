// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, type SqliteProjectStore as ProjectStore } from '../../src/db/stores.js';
import { DEMO_FEATURES } from '../../src/demo/demo-app.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { seedVerifiedDemo, startUiServer, type UiServer, type VerifiedDemo } from '../../test/support/ui-fixture.js';
import { BoardPage } from '../src/features/board/BoardPage';
import { FeatureDrawer } from '../src/features/board/FeatureDrawer';
import { InboxPage } from '../src/features/inbox/InboxPage';
import { renderWithApp } from './render';

/**
 * Cards, the drawer and the Inbox's disputes against a real server whose project holds the demo
 * app and real verifications: `verifyCommit` ran each feature's frozen checks (commands in the
 * jail, the app from ./init.sh, Chromium) and the store recorded them, as the landing gate does.
 */

// The seeding runs the real engine (the app and Chromium): tens of seconds on a loaded 2-core machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 240_000 });

let ui: UiServer;
let demo: VerifiedDemo;
let store: ProjectStore;

beforeAll(async () => {
  ui = await startUiServer();
  // add passes and lands; complete fails on the skeleton (failed); persist fails and is still held (in progress).
  demo = await seedVerifiedDemo(ui, 'verified', {
    pass: ['add'],
    fail: ['complete'],
    failHeld: ['persist'],
    unchecked: true,
  });
  store = openProjectStore(projectPaths(demo.dir), { create: false });
});
afterAll(async () => {
  store?.close();
  await ui?.close();
  demo?.cleanup();
});
afterEach(() => cleanup());

const render = (ui_: React.ReactNode) => renderWithApp(ui_, { apiBase: ui.url, token: ui.token, project: 'verified' });
/** The first bytes of an image's `data:` URL (what the page fetched from the evidence route). */
function imageStart(img: Element): string {
  const src = img.getAttribute('src') ?? '';
  if (!src.startsWith('data:image/png;base64,')) throw new Error(`not a PNG data URL: ${src.slice(0, 40)}`);
  return Buffer.from(src.slice(src.indexOf(',') + 1), 'base64')
    .subarray(0, 4)
    .toString('latin1');
}
const PNG_MAGIC = '\x89PNG';

describe('cards', () => {
  it('show "verified" with the count of checks and the screenshot the runner took (real bytes, with alt text)', async () => {
    const add = demo.ids['add']!;
    render(<BoardPage />);
    const card = await screen.findByTestId(`card-${add}`);
    expect(within(screen.getByTestId('lane-passing')).getByTestId(`card-${add}`)).toBe(card);
    expect(within(card).getByTestId('verified-badge').textContent).toBe('✓ verified · 3 checks');
    expect(within(card).getByTestId('verified-badge').getAttribute('title')).toContain(demo.finished.slice(0, 7));
    await waitFor(() => expect(card.querySelector('[role=img]')?.getAttribute('aria-label') ?? 'img').toBe('img'), {
      timeout: 5_000,
    });
    const thumb = within(card).getByRole('img', {
      name: `Screenshot of #${add} Add a todo from its verification`,
    }) as HTMLImageElement;
    expect(imageStart(thumb)).toBe(PNG_MAGIC);
    expect(thumb.getAttribute('data-evidence')).toBe(demo.verifications.get(add)!.checks[2]!.evidence[0]);
  });

  it('label a feature without checks "not verified" and say why', async () => {
    render(<BoardPage />);
    const card = await screen.findByTestId(`card-${demo.ids['unchecked']}`);
    expect(within(card).getByTestId('not-verified').textContent).toBe('not verifiedno acceptance checks');
    expect(within(card).queryByTestId('verified-badge')).toBeNull();
  });

  it('give the failed verification’s reason on failed and in-progress cards, naming the failing check', async () => {
    render(<BoardPage />);
    const failed = await screen.findByTestId(`card-${demo.ids['complete']}`);
    expect(within(screen.getByTestId('lane-failed')).getByTestId(`card-${demo.ids['complete']}`)).toBe(failed);
    // A failed card's one reason (#21): the failing check with what its output says failed, and its own line.
    const line = within(failed).getByTestId('failure-reason').textContent ?? '';
    expect(line).toMatch(/^✗ complete tests pass: /);
    expect(line).toContain(demo.verifications.get(demo.ids['complete']!)!.checks[0]!.failure!);
    expect(within(failed).queryByTestId('verification-failure')).toBeNull();
    const held = screen.getByTestId(`card-${demo.ids['persist']}`);
    expect(within(screen.getByTestId('lane-in_progress')).getByTestId(`card-${demo.ids['persist']}`)).toBe(held);
    expect(within(held).getByTestId('verification-failure').textContent).toMatch(
      /^✗ Verification failed: persist tests pass: /,
    );
    // A feature with checks that was never verified says nothing about it.
    const pending = screen.getByTestId(`card-${demo.ids['delete']}`);
    for (const id of ['verified-badge', 'not-verified', 'verification-failure'])
      expect(within(pending).queryByTestId(id)).toBeNull();
  });
});

describe('the drawer', () => {
  it('lists the frozen checks with their hash, the verification with every check, and the agent’s words apart', async () => {
    const add = demo.ids['add']!;
    const v = demo.verifications.get(add)!;
    const user = userEvent.setup();
    render(<FeatureDrawer featureId={add} onClose={() => undefined} />);
    const drawer = await screen.findByTestId('feature-drawer');

    const checks = within(drawer).getByTestId('acceptance-checks');
    const hash = store.features.get(add).acceptanceHash!;
    expect(within(checks).getByTitle(hash).textContent).toBe(hash.slice(0, 12));
    expect(within(checks).getByText('Run: node --test test/add.test.js')).toBeTruthy();
    expect(within(checks).getByText('Request: GET /')).toBeTruthy();
    expect(within(checks).getByText('2. Type “Buy milk” into the field labelled “New todo”')).toBeTruthy();

    const item = await within(drawer).findByTestId('verification');
    expect(item.getAttribute('data-verification-id')).toBe(v.id);
    expect(item.textContent).toContain('✓ passed');
    expect(item.textContent).toContain('at landing');
    expect(item.textContent).toContain('landed');
    expect(within(item).getByTitle(demo.finished).textContent).toBe(demo.finished.slice(0, 7));
    expect(item.textContent).toContain('3/3 checks passed');
    const rows = within(item).getAllByTestId('check-result');
    expect(rows.map((r) => r.getAttribute('data-passed'))).toEqual(['true', 'true', 'true']);
    expect(
      rows.map((r) => within(r).getByText(/^(add tests pass|the page is served|a typed todo is added)$/).textContent),
    ).toEqual(['add tests pass', 'the page is served', 'a typed todo is added']);
    // The command's output, in a collapsible monospace block (closed when it passed).
    const output = within(rows[0]!).getByText('Output').closest('details')!;
    expect(output.open).toBe(false);
    expect(output.querySelector('pre')!.textContent).toContain(v.checks[0]!.output.trim().slice(-40));

    // The screenshot: a button (keyboard reachable) that opens it full size.
    const shot = v.checks[2]!.evidence.find((e) => e.endsWith('.png'))!;
    const enlarge = within(rows[2]!).getByRole('button', { name: new RegExp(`^Enlarge screenshot ${shot}`) });
    enlarge.focus();
    await user.keyboard('{Enter}');
    const full = (await screen.findByRole('img', { name: new RegExp(`${shot}.*full size$`) })) as HTMLImageElement;
    expect(imageStart(full)).toBe(PNG_MAGIC);
    expect(within(rows[2]!).getByRole('button', { name: /^Trace \(trace-\d+\.zip\)$/ })).toBeTruthy();

    // The app's log, fetched when opened.
    await user.click(within(item).getByText('App log'));
    const log = await within(item).findByTestId('app-log');
    expect(log.textContent).toMatch(/\S/);

    const words = within(drawer).getByTestId('agent-evidence');
    expect(words.textContent).toContain(`Agent says (session ses_seed_add), commit ${demo.finished.slice(0, 7)}:`);
    expect(words.textContent).toContain('Implemented add a todo; node --test passes.');
    expect(within(drawer).getByText('The agent’s own words')).toBeTruthy();
  });

  it('shows a failed verification with the failing checks open, and "not verified" for a feature without checks', async () => {
    const id = demo.ids['complete']!;
    const v = demo.verifications.get(id)!;
    render(<FeatureDrawer featureId={id} onClose={() => undefined} />);
    const item = await screen.findByTestId('verification');
    expect(item.textContent).toContain('✗ failed');
    expect(item.textContent).toContain(`${v.checks.filter((c) => c.passed).length}/${v.checks.length} checks passed`);
    const failing = within(item)
      .getAllByTestId('check-result')
      .filter((r) => r.getAttribute('data-passed') === 'false');
    expect(failing.length).toBeGreaterThan(0);
    for (const row of failing) {
      expect(within(row).getByText('✗ fail')).toBeTruthy();
      expect((within(row).getByText('Output').closest('details') as HTMLDetailsElement).open).toBe(true);
    }
    expect(failing[0]!.textContent).toContain(v.checks.find((c) => !c.passed)!.failure!);
    cleanup();

    render(<FeatureDrawer featureId={demo.ids['unchecked']!} onClose={() => undefined} />);
    const drawer = await screen.findByTestId('feature-drawer');
    expect(within(drawer).getAllByTestId('not-verified')[0]!.textContent).toContain(
      'This feature has no acceptance checks',
    );
    expect(await within(drawer).findByText(/^None: without acceptance checks/)).toBeTruthy();
    expect(within(drawer).getByText('not verified', { selector: 'span[title]' })).toBeTruthy();
  });
});

describe('disputes in the Inbox', () => {
  /** Claims a feature and disputes its checks, as feature_dispute_acceptance does. */
  function dispute(slug: string, proposed: AcceptanceCheck[]) {
    const claim = store.claims.claimFeature(demo.ids[slug]!, `ses_dispute_${slug}`).claim;
    return store.disputes.open(claim, { reason: `the ${slug} browser check clicks before the page is ready`, proposed })
      .dispute;
  }
  const proposedFor = (slug: string): AcceptanceCheck[] => {
    const f = DEMO_FEATURES.find((x) => x.slug === slug)!;
    // Same command; the browser check gets a longer time limit.
    return [f.acceptance[0]!, { ...f.acceptance[1]!, timeoutMs: 90_000 } as AcceptanceCheck];
  };

  it('shows the agent’s reason and both lists side by side; Reject needs a reason and sends nothing without one', async () => {
    const d = dispute('delete', proposedFor('delete'));
    const user = userEvent.setup();
    render(<InboxPage />);
    const card = (await screen.findByText('disputes its checks')).closest('article')!;
    expect(card.getAttribute('data-dispute-id')).toBe(d.id);
    expect(card.textContent).toContain('Agent says (session ses_dispute_delete):');
    expect(card.textContent).toContain('the delete browser check clicks before the page is ready');
    const diff = within(card).getByTestId('dispute-diff');
    expect(diff.textContent).toContain('2 frozen → 2 proposed: 1 changed, 1 unchanged');
    const changed = diff.querySelector('[data-change="changed"]')!;
    expect(within(changed as HTMLElement).getAllByText('time limit 90 s')).toHaveLength(1);
    expect(changed.textContent).toContain('added: time limit 90 s');
    // Not also a generic request form: the dispute is its own card.
    expect(screen.queryByRole('form', { name: `Answer for feature #${d.featureId}` })).toBeNull();

    await user.click(within(card).getByRole('button', { name: 'Reject: keep the frozen checks' }));
    expect((await within(card).findByRole('alert')).textContent).toBe('say why the checks stay as they are');
    expect(store.disputes.get(d.id).status).toBe('open');

    await user.type(within(card).getByLabelText(/^Reason/), 'Wait for the list instead; the time limit is fine.');
    await user.click(within(card).getByRole('button', { name: 'Reject: keep the frozen checks' }));
    await waitFor(() => expect(store.disputes.get(d.id).status).toBe('rejected'));
    expect(store.disputes.get(d.id)).toMatchObject({
      decidedBy: 'human',
      decisionReason: 'Wait for the list instead; the time limit is fine.',
    });
    expect(store.features.get(d.featureId)).toMatchObject({ status: 'pending', acceptanceHash: d.hashBefore });
    const history = await screen.findByTestId('dispute-history');
    const row = within(history).getByText('rejected by human').closest('li')!;
    expect(row.getAttribute('data-dispute-id')).toBe(d.id);
    expect(row.textContent).toContain('Decision: Wait for the list instead; the time limit is fine.');
    await waitFor(() => expect(screen.queryByText('disputes its checks')).toBeNull());
  });

  it('Accept replaces the frozen checks with the proposed ones (a new hash) and keeps the history', async () => {
    // The rejected feature is back in Pending, first in line: its next session disputes again.
    const d = dispute('delete', proposedFor('delete'));
    const user = userEvent.setup();
    render(<InboxPage />);
    const card = (await screen.findByText('disputes its checks')).closest('article')!;
    await user.click(within(card).getByRole('button', { name: 'Accept the proposed checks' }));
    await waitFor(() => expect(store.disputes.get(d.id).status).toBe('accepted'));
    const feature = store.features.get(d.featureId);
    expect(feature.acceptance).toEqual(proposedFor('delete'));
    expect(feature.acceptanceHash).not.toBe(d.hashBefore);
    expect(store.disputes.get(d.id).hashAfter).toBe(feature.acceptanceHash);
    const history = await screen.findByTestId('dispute-history');
    await within(history).findByText('accepted by human');
    // Both decisions of the feature stay, newest first.
    expect(
      within(history)
        .getAllByTestId('dispute-decision')
        .map((e) => e.textContent),
    ).toEqual(['accepted by human', 'rejected by human']);
  });
});
