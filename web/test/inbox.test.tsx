// @vitest-environment jsdom
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import type { SqliteProjectStore as ProjectStore } from '../../src/db/stores.js';
import { PLACEHOLDER_MARK } from '../../src/config/env-file.js';
import { answerAsSupervisor, answerHumanInput } from '../../src/projects/human-input.js';
import type { HumanInputField } from '../../src/shared/human-input.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { InboxPage } from '../src/features/inbox/InboxPage';
import { renderWithApp } from './render';

// Each test starts a real server with a project database and renders into jsdom.
vi.setConfig({ testTimeout: 30_000 });

const SECRET = 'sk_inbox_test_Zq81Lm0P';

/** One field of every type (the select with 3 options shows as radios, the one with 6 as a drop-down). */
const EVERY_TYPE: HumanInputField[] = [
  { id: 'region', label: 'Region', type: 'text', required: true, placeholder: 'eu-west-1' },
  { id: 'notes', label: 'Notes for the agent', type: 'textarea', required: false },
  { id: 'maps_key', label: 'Maps API key', type: 'secret', required: true, help: 'console → credentials' },
  { id: 'plan', label: 'Plan', type: 'select', required: true, options: ['free', 'pro', 'team'] },
  { id: 'country', label: 'Country', type: 'select', required: false, options: ['DE', 'FR', 'IT', 'NL', 'PL', 'SE'] },
  { id: 'sandbox', label: 'Use the sandbox account', type: 'boolean', required: false },
  { id: 'zoom', label: 'Default zoom', type: 'number', required: true, placeholder: '12' },
];

/** Claims the next ready feature and asks a human for `fields`, as a session's tool call does. */
function ask(
  store: ProjectStore,
  fields: HumanInputField[],
  prompt = 'The map needs a key and a few choices.',
): { id: string; featureId: number } {
  const claimed = store.claims.claimNext('ses_test');
  if (!claimed) throw new Error('nothing to claim');
  const { request } = store.humanInput.request(claimed.claim, { kind: 'fields', prompt, fields });
  return { id: request.id, featureId: request.featureId };
}

describe('the inbox against the real server', () => {
  let ui: UiServer;
  let dir: string;
  let store: ProjectStore;
  beforeEach(async () => {
    ui = await startUiServer();
    dir = seedProject(ui, 'shop', { count: 1 }).dir;
    store = openProjectStore(projectPaths(dir), { create: false });
    // Two more features with no dependencies, so three can be claimed at once.
    store.features.createBulk(
      ['Map page', 'Layout'].map((name, i) => ({
        category: 'ui',
        name,
        description: `Independent feature ${i + 2}.`,
        steps: ['open it'],
        priority: i + 1,
        dependsOnIndices: [],
      })),
    );
  });
  afterEach(async () => {
    cleanup();
    store.close();
    await ui.close();
  });

  it('generates one control per field type, with labels, placeholders, help and required markers', async () => {
    ask(store, EVERY_TYPE);
    renderWithApp(<InboxPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    const form = await screen.findByRole('form', { name: 'Answer for feature #1' });
    const f = within(form);

    const region = f.getByLabelText(/^Region/);
    expect(region).toMatchObject({ tagName: 'INPUT', type: 'text', placeholder: 'eu-west-1' });
    expect(region.getAttribute('aria-required')).toBe('true');
    expect(f.getByLabelText(/^Notes for the agent/).tagName).toBe('TEXTAREA');
    expect(f.getByLabelText(/^Notes for the agent/).getAttribute('aria-required')).toBe('false');

    const secret = f.getByLabelText(/^Maps API key/);
    expect(secret).toMatchObject({ tagName: 'INPUT', type: 'password' });
    expect(secret.getAttribute('autocomplete')).toBe('off');
    const secretHelp = document.getElementById(secret.getAttribute('aria-describedby') ?? '');
    expect(secretHelp?.textContent).toContain('console → credentials');
    expect(secretHelp?.textContent).toContain('MAPS_KEY');

    const plan = f.getByRole('radiogroup', { name: /Plan/ });
    expect(
      within(plan)
        .getAllByRole('radio')
        .map((r) => (r as HTMLInputElement).value),
    ).toEqual(['free', 'pro', 'team']);
    const country = f.getByRole('combobox', { name: /Country/ });
    expect(
      within(country)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Choose…', 'DE', 'FR', 'IT', 'NL', 'PL', 'SE']);
    expect(f.getByRole('checkbox', { name: 'Use the sandbox account' })).toBeTruthy();
    expect(f.getByRole('spinbutton', { name: /Default zoom/ })).toMatchObject({ placeholder: '12' });
    expect(f.getAllByText('(optional)')).toHaveLength(2); // notes, country (a checkbox always answers)
    expect(screen.getByText('The map needs a key and a few choices.')).toBeTruthy();
  });

  it('shows per-field errors from the shared validator and sends nothing; then answers, keeping the secret out of everything but .env', async () => {
    const req = ask(store, EVERY_TYPE);
    const user = userEvent.setup();
    renderWithApp(<InboxPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    const form = await screen.findByRole('form', { name: 'Answer for feature #1' });
    const f = within(form);

    await user.type(f.getByLabelText(/^Region/), 'eu-west-1');
    await user.click(f.getByRole('button', { name: 'Send answer' }));
    expect((await f.findByRole('alert')).textContent).toContain('3 fields need attention. Nothing was sent.');
    for (const [label, field] of [
      [/^Maps API key/, f.getByLabelText(/^Maps API key/)],
      [/Default zoom/, f.getByRole('spinbutton', { name: /Default zoom/ })],
      [/Plan/, f.getByRole('radiogroup', { name: /Plan/ })],
    ] as const) {
      expect(field.getAttribute('aria-invalid'), String(label)).toBe('true');
      const describedBy = (field.getAttribute('aria-describedby') ?? '').split(' ');
      expect(describedBy.map((id) => document.getElementById(id)?.textContent).join(' ')).toContain('Required');
    }
    expect(f.getByLabelText(/^Region/).getAttribute('aria-invalid')).toBeNull();
    // The first invalid field has the focus, so a keyboard user lands on it.
    expect(document.activeElement).toBe(f.getByLabelText(/^Maps API key/));
    expect(store.humanInput.get(req.id).status).toBe('open');
    expect(store.features.get(req.featureId).status).toBe('needs_input');

    await user.type(f.getByLabelText(/^Maps API key/), SECRET);
    await user.click(f.getByRole('radio', { name: 'pro' }));
    await user.selectOptions(f.getByRole('combobox', { name: /Country/ }), 'FR');
    await user.click(f.getByRole('checkbox', { name: 'Use the sandbox account' }));
    await user.type(f.getByRole('spinbutton', { name: /Default zoom/ }), '14');
    await user.click(f.getByRole('button', { name: 'Send answer' }));

    expect((await screen.findByText(/Answered: #1 .* is back in Pending/)).textContent).toBeTruthy();
    expect(await screen.findByTestId('inbox-empty')).toBeTruthy();
    const history = await screen.findByTestId('inbox-history');
    expect(within(history).getByTestId('answered-by').textContent).toBe('answered by human');
    expect(history.textContent).toContain('eu-west-1');
    expect(history.textContent).toContain('MAPS_KEY');
    expect(history.textContent).not.toContain(SECRET);
    expect(document.body.innerHTML).not.toContain(SECRET);

    const answered = store.humanInput.get(req.id);
    expect(answered).toMatchObject({
      status: 'answered',
      answeredBy: 'human',
      answer: { region: 'eu-west-1', plan: 'pro', country: 'FR', sandbox: true, zoom: 14 },
      secretKeys: { maps_key: 'MAPS_KEY' },
    });
    expect(store.features.get(req.featureId).status).toBe('pending');
    const env = join(dir, '.env');
    expect(readFileSync(env, 'utf8')).toContain(`MAPS_KEY=${SECRET}`);
    expect(statSync(env).mode & 0o777).toBe(0o600);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(projectPaths(dir).database).toString('latin1')).not.toContain(SECRET);
  });

  it('shows the server refusal when the request was closed meanwhile (409), and cancels with a reason', async () => {
    const first = ask(store, [{ id: 'region', label: 'Region', type: 'text', required: true }], 'Which region?');
    const second = ask(
      store,
      [{ id: 'choice', label: 'Which layout?', type: 'select', required: true, options: ['grid', 'list'] }],
      'Grid or list?',
    );
    const user = userEvent.setup();
    renderWithApp(<InboxPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    const form1 = within(await screen.findByRole('form', { name: `Answer for feature #${first.featureId}` }));

    // Someone answers from the CLI while the form is open.
    store.humanInput.cancel(first.id, 'answered elsewhere');
    await user.type(form1.getByLabelText(/^Region/), 'us-east-1');
    await user.click(form1.getByRole('button', { name: 'Send answer' }));
    expect((await form1.findByRole('alert')).textContent).toMatch(/refused the answer \(409\).*already cancelled/);
    // The closed request leaves the list with its form; the refusal stays as an error toast.
    expect(await screen.findByText(new RegExp(`Not sent for #${first.featureId}: .*already cancelled`))).toBeTruthy();
    await waitFor(() =>
      expect(screen.queryByRole('form', { name: `Answer for feature #${first.featureId}` })).toBeNull(),
    );
    expect(store.humanInput.get(first.id)).toMatchObject({ status: 'cancelled', answer: null });

    const form2 = within(await screen.findByRole('form', { name: `Answer for feature #${second.featureId}` }));
    await user.click(form2.getByRole('button', { name: 'Cancel request…' }));
    const dialog = within(await screen.findByRole('dialog'));
    await user.type(dialog.getByLabelText(/Reason/), 'Pick whichever the spec implies');
    await user.click(dialog.getByRole('button', { name: 'Cancel request' }));
    await waitFor(() =>
      expect(store.humanInput.get(second.id)).toMatchObject({
        status: 'cancelled',
        reason: 'Pick whichever the spec implies',
      }),
    );
    expect(await screen.findByText('Reason: Pick whichever the spec implies')).toBeTruthy();
    expect(store.features.get(second.featureId).status).toBe('pending');
  });

  it('labels a supervisor answer and shows secrets by their .env key only', async () => {
    const req = ask(store, [
      { id: 'api_token', label: 'API token', type: 'secret', required: true, env: 'SHOP_TOKEN' },
      { id: 'currency', label: 'Currency', type: 'text', required: true },
    ]);
    answerHumanInput(store, req.id, { api_token: SECRET, currency: 'EUR' }, { by: 'supervisor' });
    renderWithApp(<InboxPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    const history = await screen.findByTestId('inbox-history');
    expect(within(history).getByTestId('answered-by').textContent).toBe('answered by supervisor');
    expect(history.textContent).toContain('EUR');
    expect(history.textContent).toContain('SHOP_TOKEN');
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(existsSync(join(dir, '.env'))).toBe(true);
  });
  /** A request with a secret, a text and a choice, answered by the supervisor (reasons, a placeholder in .env). */
  const SUPERVISED: HumanInputField[] = [
    { id: 'api_token', label: 'API token', type: 'secret', required: true, env: 'SHOP_TOKEN' },
    { id: 'currency', label: 'Currency', type: 'text', required: true },
    { id: 'plan', label: 'Plan', type: 'select', required: true, options: ['free', 'pro', 'team'] },
  ];
  const REASONS = {
    currency: 'The spec sells to shops in Germany.',
    plan: 'Pro is the cheapest plan with API access.',
    api_token: 'Only a human has the real token.',
  };
  function supervised(): { id: string; featureId: number } {
    const req = ask(store, SUPERVISED, 'The shop needs a payment token, a currency and a plan.');
    answerAsSupervisor(
      store,
      req.id,
      { currency: 'EUR', plan: 'pro', api_token: 'a value the model made up' },
      REASONS,
    );
    return req;
  }

  it("shows the supervisor's reasons and its placeholder; an override starts from its values, refuses an invalid answer, then re-opens the feature with the real secret in .env", async () => {
    const req = supervised();
    // The supervisor's answer was built on and passed.
    const again = store.claims.claimNext('ses_test2');
    expect(again?.feature.id).toBe(req.featureId);
    if (again) store.claims.markPassing(again.claim);
    const env = join(dir, '.env');
    const before = readFileSync(env, 'utf8');
    expect(before).toContain(PLACEHOLDER_MARK);
    expect(before).toMatch(/^SHOP_TOKEN=dev-placeholder-shop-token-/m);

    const user = userEvent.setup();
    renderWithApp(<InboxPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    const history = await screen.findByTestId('inbox-history');
    const item = within(history.querySelector(`[data-request-id="${req.id}"]`) as HTMLElement);
    expect(item.getByTestId('answered-by').textContent).toBe('answered by supervisor');
    expect(item.getAllByTestId('supervisor-reason').map((r) => r.textContent)).toEqual([
      `Why: ${REASONS.currency}`,
      `Why: ${REASONS.plan}`,
      `Why: ${REASONS.api_token}`,
    ]);
    expect(item.getByTestId('placeholder').textContent).toContain('development placeholder');
    expect(item.getByTestId('placeholder').parentElement?.textContent).toMatch(
      /development placeholder\s*is in \.env as SHOP_TOKEN, not a real credential/,
    );
    expect(document.body.innerHTML).not.toContain('dev-placeholder');

    // The filter: only the supervisor's answers (here, the same one).
    await user.click(screen.getByRole('button', { name: 'Supervisor answers (1)' }));
    expect(screen.getByRole('button', { name: 'Supervisor answers (1)' }).getAttribute('aria-pressed')).toBe('true');
    expect(within(screen.getByTestId('inbox-history')).getAllByRole('listitem')).toHaveLength(1);

    await user.click(
      screen.getByRole('button', { name: `Override the supervisor's answer for feature #${req.featureId}` }),
    );
    const form = within(
      await screen.findByRole('form', { name: `Override the supervisor's answer for feature #${req.featureId}` }),
    );
    const token = form.getByLabelText(/^API token/) as HTMLInputElement;
    expect(token).toMatchObject({ type: 'password', value: '' });
    expect(document.activeElement).toBe(token);
    expect(document.getElementById(token.getAttribute('aria-describedby') ?? '')?.textContent).toContain(
      "Replaces the development placeholder in the project's .env as SHOP_TOKEN",
    );
    expect((form.getByLabelText(/^Currency/) as HTMLInputElement).value).toBe('EUR');
    expect((form.getByRole('radio', { name: 'pro' }) as HTMLInputElement).checked).toBe(true);
    expect(form.queryByRole('button', { name: 'Cancel request…' })).toBeNull();

    // Invalid: the currency cleared, no token → per-field errors, nothing sent.
    await user.clear(form.getByLabelText(/^Currency/));
    await user.click(form.getByRole('button', { name: 'Send override' }));
    expect((await form.findByRole('alert')).textContent).toContain('2 fields need attention. Nothing was sent.');
    expect(token.getAttribute('aria-invalid')).toBe('true');
    expect(form.getByLabelText(/^Currency/).getAttribute('aria-invalid')).toBe('true');
    expect(store.humanInput.get(req.id).overriddenBy).toBeNull();
    expect(store.features.get(req.featureId).status).toBe('passing');
    expect(readFileSync(env, 'utf8')).toBe(before);

    await user.type(form.getByLabelText(/^Currency/), 'CHF');
    await user.type(token, SECRET);
    await user.click(form.getByRole('radio', { name: 'team' }));
    await user.click(form.getByRole('button', { name: 'Send override' }));
    expect(
      await screen.findByText(/Overridden: #1 .* is back in Pending, first in line, to be redone with your answer/),
    ).toBeTruthy();

    const overridden = store.humanInput.get(req.id);
    expect(overridden.overriddenBy).toMatch(/^hir_/);
    const human = store.humanInput.get(overridden.overriddenBy ?? '');
    expect(human).toMatchObject({
      status: 'answered',
      answeredBy: 'human',
      overrides: req.id,
      answer: { currency: 'CHF', plan: 'team' },
      secretKeys: { api_token: 'SHOP_TOKEN' },
    });
    expect(store.features.get(req.featureId).status).toBe('pending');
    const after = readFileSync(env, 'utf8');
    expect(after).toContain(`SHOP_TOKEN=${SECRET}`);
    expect(after).not.toContain(PLACEHOLDER_MARK);
    expect(after).not.toContain('dev-placeholder');

    // Both requests are listed (the filter keeps the override), linked to each other; no second override.
    await waitFor(() => expect(screen.queryByRole('form', { name: /Override the supervisor's answer/ })).toBeNull());
    const old = within(
      await waitFor(
        () => screen.getByTestId('inbox-history').querySelector(`[data-request-id="${req.id}"]`) as HTMLElement,
      ),
    );
    await waitFor(() => expect(old.getByTestId('overridden-by').getAttribute('href')).toBe(`/#request-${human.id}`));
    expect(old.getByTestId('placeholder').parentElement?.textContent).toMatch(
      /was in \.env as SHOP_TOKEN, since replaced/,
    );
    expect(old.queryByRole('button', { name: /Override/ })).toBeNull();
    const mine = within(
      screen.getByTestId('inbox-history').querySelector(`[data-request-id="${human.id}"]`) as HTMLElement,
    );
    expect(mine.getByTestId('answered-by').textContent).toBe('answered by human');
    expect(mine.getByTestId('overrides').getAttribute('href')).toBe(`/#request-${req.id}`);
    expect(mine.getByTestId('overrides').textContent).toBe('overrides the supervisor’s answer');
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('shows the server refusal of an override (409 while the feature is being worked on) and changes nothing', async () => {
    const req = supervised();
    const before = readFileSync(join(dir, '.env'), 'utf8');
    const user = userEvent.setup();
    renderWithApp(<InboxPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    await user.click(
      await screen.findByRole('button', { name: `Override the supervisor's answer for feature #${req.featureId}` }),
    );
    const form = within(
      await screen.findByRole('form', { name: `Override the supervisor's answer for feature #${req.featureId}` }),
    );
    // A session picks the feature up while the form is open.
    expect(store.claims.claimNext('ses_busy')?.feature.id).toBe(req.featureId);
    await user.type(form.getByLabelText(/^API token/), SECRET);
    await user.click(form.getByRole('button', { name: 'Send override' }));
    expect((await form.findByRole('alert')).textContent).toMatch(
      /refused the override \(409\).*being worked on right now/,
    );
    expect(await screen.findByText(new RegExp(`Not sent for #${req.featureId}: .*being worked on`))).toBeTruthy();
    expect(store.humanInput.get(req.id).overriddenBy).toBeNull();
    expect(store.features.get(req.featureId).status).toBe('in_progress');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(before);
    // The typed token stays in its input for a retry, but no message repeats it.
    for (const alert of screen.getAllByRole('alert')) expect(alert.textContent).not.toContain(SECRET);
  });
});
