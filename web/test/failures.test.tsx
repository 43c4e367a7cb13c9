// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedFailures, type FailureBacklog } from '../../test/support/failure-seed.js';
import { startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { BoardPage } from '../src/features/board/BoardPage';
import { FeatureDrawer } from '../src/features/board/FeatureDrawer';
import { renderWithApp } from './render';

/**
 * Failures a person can read (#21 item 3 and the skip classes of item 9), against a real server whose project holds
 * failed attempts as the runner records them (real `node --test` output in the failing check): the card and the
 * drawer give the failing assertion in one line, the retry time, the failed sessions as failed, the outdated
 * verification of the superseded attempt, and the skipped features' blocker classes, which the board filters by.
 */

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let ui: UiServer;
let seeded: FailureBacklog;

beforeAll(async () => {
  ui = await startUiServer();
  seeded = seedFailures(ui, 'failing');
});
afterAll(async () => {
  await ui?.close();
});
afterEach(() => cleanup());

const render = (node: React.ReactNode) => renderWithApp(node, { apiBase: ui.url, token: ui.token, project: 'failing' });
const ASSERTION = 'adds a todo — Expected values to be strictly equal: 2 !== 3';

describe('the board', () => {
  it("shows the failing assertion on a failed card, in one line, instead of the verification's exit code", async () => {
    render(<BoardPage />);
    const card = await screen.findByTestId(`card-${seeded.failed}`);
    expect(within(screen.getByTestId('lane-failed')).getByTestId(`card-${seeded.failed}`)).toBe(card);
    expect(within(card).getByTestId('failure-reason').textContent).toBe(
      `✗ todo tests pass: ${ASSERTION} (exit code 1, expected 0)`,
    );
    // One line, not the same failure twice.
    expect(within(card).queryByTestId('verification-failure')).toBeNull();
  });

  it('shows when a waiting feature is retried, and its reason', async () => {
    render(<BoardPage />);
    const card = await screen.findByTestId(`card-${seeded.retrying}`);
    expect(within(card).getByTestId('retry-at').textContent).toBe(
      `retry at ${new Date(seeded.retryAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`,
    );
    expect(within(card).getByTestId('failure-reason').textContent).toContain(ASSERTION);
  });

  it('labels skipped cards with their blocker class, and filters the board by it', async () => {
    render(<BoardPage />);
    const skipped = await screen.findByTestId(`card-${seeded.skipped}`);
    expect(within(skipped).getByTestId('skip-class').textContent).toBe('skipped · External service');
    expect(within(screen.getByTestId(`card-${seeded.oldSkip}`)).getByTestId('skip-class').textContent).toBe(
      'skipped · Unclassified',
    );
    const filter = screen.getByTestId('skip-filter') as HTMLSelectElement;
    expect([...filter.options].map((o) => o.textContent)).toEqual([
      'any reason: show all features',
      'External service (1)',
      'Unclassified (1)',
    ]);
    await userEvent.selectOptions(filter, 'external_service');
    await waitFor(() => expect(screen.queryByTestId(`card-${seeded.failed}`)).toBeNull());
    expect(screen.getByTestId(`card-${seeded.skipped}`)).toBeTruthy();
    expect(screen.queryByTestId(`card-${seeded.oldSkip}`)).toBeNull();
    await userEvent.selectOptions(filter, 'all');
    await screen.findByTestId(`card-${seeded.failed}`);
  });
});

describe('the drawer', () => {
  it('gives the reason, says each failed session failed with why, and marks the superseded verification outdated', async () => {
    render(<FeatureDrawer featureId={seeded.failed} onClose={() => undefined} />);
    expect((await screen.findByTestId('drawer-failure-reason')).textContent).toContain(ASSERTION);
    expect(screen.queryByTestId('drawer-retry-at')).toBeNull();
    const outcomes = screen.getAllByTestId('session-outcome');
    expect(outcomes).toHaveLength(2);
    for (const cell of outcomes) {
      expect(cell.getAttribute('data-outcome')).toBe('feature_failed');
      expect(cell.textContent).toMatch(/^failed: the feature did not pass3 verifications failed in one session/);
      expect(cell.textContent).not.toMatch(/success/);
    }
    const [second, first] = seeded.verifications.slice().reverse();
    await waitFor(() => expect(screen.getAllByTestId('verification')).toHaveLength(2));
    const item = (id: string) =>
      screen.getAllByTestId('verification').find((v) => v.getAttribute('data-verification-id') === id)!;
    expect(item(first!).getAttribute('data-outdated')).toBe('true');
    expect(within(item(first!)).getByTestId('verification-outdated').textContent).toBe(
      'outdated · from an earlier attempt',
    );
    expect(item(second!).getAttribute('data-outdated')).toBe('false');
    expect(within(item(second!)).queryByTestId('verification-outdated')).toBeNull();
  });

  it('says when a waiting feature is retried', async () => {
    render(<FeatureDrawer featureId={seeded.retrying} onClose={() => undefined} />);
    expect((await screen.findByTestId('drawer-retry-at')).textContent).toMatch(
      /^Attempt 2 of 3: retry at .+ \(in (29|30)m \d+s\)$/,
    );
  });

  it('skips a pending feature with the blocker class a person picks', async () => {
    render(<FeatureDrawer featureId={seeded.retrying} onClose={() => undefined} />);
    await screen.findByTestId('drawer-retry-at');
    await userEvent.selectOptions(screen.getByLabelText('Why skip it (its blocker)'), 'credentials');
    await userEvent.click(screen.getByRole('button', { name: 'Skip to the back' }));
    expect((await screen.findByTestId('drawer-skip-class')).textContent).toBe('skipped · Credentials');
  });
});
