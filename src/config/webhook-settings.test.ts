import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { DEFAULT_WEBHOOK_RETRY_MS, loadWebhookSettings, loadWebhookTargets } from './webhook-settings.js';

function invalid(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err: unknown) {
    if (err instanceof AppError && err.code === 'INVALID_INPUT') return err;
    throw err;
  }
  throw new Error('expected an INVALID_INPUT error');
}

describe('loadWebhookTargets', () => {
  it('has no targets by default', () => {
    expect(loadWebhookSettings({})).toEqual({ targets: [], retryBaseMs: DEFAULT_WEBHOOK_RETRY_MS });
    expect(loadWebhookTargets({ PROGRESS_N8N_WEBHOOK_URL: '  ', AUTOCODER_WEBHOOKS: '' })).toEqual([]);
  });

  it('turns PROGRESS_N8N_WEBHOOK_URL into an n8n target for passed features', () => {
    expect(loadWebhookTargets({ PROGRESS_N8N_WEBHOOK_URL: 'https://n8n.example.com/webhook/abc' })).toEqual([
      { url: 'https://n8n.example.com/webhook/abc', events: ['feature.passed'], format: 'n8n' },
    ]);
  });

  it('reads AUTOCODER_WEBHOOKS with defaults (all events, json)', () => {
    const targets = loadWebhookTargets({
      PROGRESS_N8N_WEBHOOK_URL: 'http://127.0.0.1:5678/hook',
      AUTOCODER_WEBHOOKS: JSON.stringify([
        { url: 'https://hooks.example.com/a', events: ['run.finished', 'run.failed'] },
        { url: 'http://localhost:9/b' },
        { url: 'https://x.example/c', format: 'n8n', events: ['feature.needs_input'] },
      ]),
    });
    expect(targets).toEqual([
      { url: 'http://127.0.0.1:5678/hook', events: ['feature.passed'], format: 'n8n' },
      { url: 'https://hooks.example.com/a', events: ['run.finished', 'run.failed'], format: 'json' },
      {
        url: 'http://localhost:9/b',
        events: [
          'feature.passed',
          'feature.needs_input',
          'run.finished',
          'run.failed',
          'verification.finished',
          'run.budget_warning',
          'checkpoint.finished',
          'checkpoint.critical',
          'design.iteration_finished',
        ],
        format: 'json',
      },
      { url: 'https://x.example/c', events: ['feature.needs_input'], format: 'n8n' },
    ]);
  });

  it('reads the retry base', () => {
    expect(loadWebhookSettings({ AUTOCODER_WEBHOOK_RETRY_MS: '20' }).retryBaseMs).toBe(20);
    expect(invalid(() => loadWebhookSettings({ AUTOCODER_WEBHOOK_RETRY_MS: 'soon' })).message).toMatch(
      /AUTOCODER_WEBHOOK_RETRY_MS must be a whole number/,
    );
  });

  it('says when AUTOCODER_WEBHOOKS is not JSON or not an array', () => {
    expect(invalid(() => loadWebhookTargets({ AUTOCODER_WEBHOOKS: '[{url:' })).message).toMatch(
      /AUTOCODER_WEBHOOKS is not valid JSON/,
    );
    expect(invalid(() => loadWebhookTargets({ AUTOCODER_WEBHOOKS: '{"url":"https://a.example"}' })).message).toMatch(
      /must be a JSON array/,
    );
  });

  it('names the bad entry and what is wrong with it', () => {
    const list = (entry: unknown) => JSON.stringify([{ url: 'https://ok.example' }, entry]);
    expect(
      invalid(() => loadWebhookTargets({ AUTOCODER_WEBHOOKS: list({ url: 'ftp://files.example/x' }) })).message,
    ).toMatch(/invalid webhook AUTOCODER_WEBHOOKS\[1\]: url: must be an http:\/\/ or https:\/\/ URL/);
    expect(invalid(() => loadWebhookTargets({ AUTOCODER_WEBHOOKS: list({ url: 'not a url' }) })).message).toMatch(
      /AUTOCODER_WEBHOOKS\[1\]: url: must be an http/,
    );
    expect(
      invalid(() =>
        loadWebhookTargets({ AUTOCODER_WEBHOOKS: list({ url: 'https://a.example', events: ['feature.failed'] }) }),
      ).message,
    ).toMatch(/AUTOCODER_WEBHOOKS\[1\]: events\.0: /);
    expect(
      invalid(() => loadWebhookTargets({ AUTOCODER_WEBHOOKS: list({ url: 'https://a.example', format: 'xml' }) }))
        .message,
    ).toMatch(/AUTOCODER_WEBHOOKS\[1\]: format: /);
    expect(
      invalid(() => loadWebhookTargets({ AUTOCODER_WEBHOOKS: list({ url: 'https://a.example', secret: 'x' }) }))
        .message,
    ).toMatch(/AUTOCODER_WEBHOOKS\[1\]: .*secret/);
    expect(invalid(() => loadWebhookTargets({ AUTOCODER_WEBHOOKS: list('https://a.example') })).message).toMatch(
      /AUTOCODER_WEBHOOKS\[1\]/,
    );
  });

  it('rejects a PROGRESS_N8N_WEBHOOK_URL that is not http(s)', () => {
    expect(invalid(() => loadWebhookTargets({ PROGRESS_N8N_WEBHOOK_URL: 'ftp://n8n.example/x' })).message).toMatch(
      /invalid webhook PROGRESS_N8N_WEBHOOK_URL: url: must be an http/,
    );
    expect(invalid(() => loadWebhookTargets({ PROGRESS_N8N_WEBHOOK_URL: 'n8n.example/x' })).message).toMatch(
      /PROGRESS_N8N_WEBHOOK_URL/,
    );
  });
});
