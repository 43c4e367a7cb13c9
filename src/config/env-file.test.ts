import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyEnvFile, formatEnvValue, PLACEHOLDER_MARK, readEnvFile, writeEnvValues } from './env-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-env-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the project .env', () => {
  it('is created with mode 0600 and KEY=value lines', () => {
    const path = join(dir, '.env');
    writeEnvValues(path, { API_KEY: 'sk_123', REGION: 'eu-west-1' });
    expect(readFileSync(path, 'utf8')).toBe('API_KEY=sk_123\nREGION=eu-west-1\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('replaces existing keys in place, keeps other lines and comments, tightens the mode', () => {
    const path = join(dir, '.env');
    writeFileSync(path, '# app settings\nPORT=3000\nexport API_KEY=old\nOTHER="x y"\n', { mode: 0o644 });
    writeEnvValues(path, { API_KEY: 'new_value', NEW_ONE: 'v' });
    expect(readFileSync(path, 'utf8')).toBe('# app settings\nPORT=3000\nAPI_KEY=new_value\nOTHER="x y"\nNEW_ONE=v\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('quotes values that need it, and reads back exactly what it wrote', () => {
    const path = join(dir, '.env');
    const tricky = 'pa ss"word\\with$dollar #hash';
    expect(formatEnvValue('plain-Value_1.2:3@x/y+z')).toBe('plain-Value_1.2:3@x/y+z');
    writeEnvValues(path, { TRICKY: tricky, PLAIN: 'abc' });
    expect(readEnvFile(path)).toEqual(
      new Map([
        ['TRICKY', tricky],
        ['PLAIN', 'abc'],
      ]),
    );
  });

  it('marks development placeholders with a comment above the key, dropped when a real value replaces it', () => {
    const path = join(dir, '.env');
    writeFileSync(path, 'PORT=3000\n');
    writeEnvValues(
      path,
      { STRIPE_KEY: 'dev-placeholder-stripe-key-abc123' },
      { placeholders: { STRIPE_KEY: 'written by the supervisor\nfor hir_1' } },
    );
    expect(readFileSync(path, 'utf8')).toBe(
      `PORT=3000\n${PLACEHOLDER_MARK}written by the supervisor for hir_1\nSTRIPE_KEY=dev-placeholder-stripe-key-abc123\n`,
    );
    writeEnvValues(path, { STRIPE_KEY: 'sk_live_real' });
    expect(readFileSync(path, 'utf8')).toBe('PORT=3000\nSTRIPE_KEY=sk_live_real\n');
    expect(readEnvFile(path).get('STRIPE_KEY')).toBe('sk_live_real');
  });

  it('removes a key given an empty value and never writes an empty KEY= line', () => {
    const path = join(dir, '.env');
    writeFileSync(path, 'A=1\nB=2\n');
    writeEnvValues(path, { A: '', C: '' });
    expect(readFileSync(path, 'utf8')).toBe('B=2\n');
  });

  it('refuses invalid key names', () => {
    expect(() => writeEnvValues(join(dir, '.env'), { 'bad key': 'x' })).toThrow(/not a valid .env key/);
  });

  it('reads nothing from a missing file, and copies privately when there is one', () => {
    expect(readEnvFile(join(dir, 'missing')).size).toBe(0);
    expect(copyEnvFile(join(dir, 'missing'), join(dir, 'copy'))).toBe(false);
    writeEnvValues(join(dir, '.env'), { A_KEY: 'value1' });
    expect(copyEnvFile(join(dir, '.env'), join(dir, 'copy'))).toBe(true);
    expect(readFileSync(join(dir, 'copy'), 'utf8')).toBe('A_KEY=value1\n');
    expect(statSync(join(dir, 'copy')).mode & 0o777).toBe(0o600);
  });
});
