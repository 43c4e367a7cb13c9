import { describe, expect, it } from 'vitest';
import { providerSecrets } from './compose.js';

describe('providerSecrets', () => {
  it("masks the PostgreSQL URL's password (decoded) with the provider's keys", () => {
    expect(
      providerSecrets({
        ANTHROPIC_API_KEY: 'sk-ant-key',
        AUTOCODER_DATABASE_URL: 'postgres://autocoder:p%40ss-word@db:5432/ac',
      }),
    ).toEqual(['sk-ant-key', 'p@ss-word']);
  });

  it('has nothing of a URL without a password, or of one that does not parse', () => {
    expect(providerSecrets({ AUTOCODER_DATABASE_URL: 'postgres://autocoder@db/ac' })).toEqual([]);
    expect(providerSecrets({ AUTOCODER_DATABASE_URL: 'not a url' })).toEqual([]);
    expect(providerSecrets({})).toEqual([]);
  });
});
