import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { withHomeEnv } from './home-env.js';

let root: string;
let home: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-home-env-'));
  home = join(root, 'autocoder-home');
  mkdirSync(home);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const writeHomeEnv = (text: string, mode = 0o600) => {
  writeFileSync(join(home, '.env'), text, { mode });
  chmodSync(join(home, '.env'), mode);
};

describe('$AUTOCODER_HOME/.env', () => {
  it('sets the variables the environment does not, and says which keys it gave (values stay out of the report)', () => {
    writeHomeEnv(
      '# harness\nENABLE_SUPERVISORY_AGENT=true\nexport ANTHROPIC_BASE_URL="https://api.z.ai/api/anthropic"\n',
    );
    const { env, info } = withHomeEnv({ AUTOCODER_HOME: home, PATH: '/bin' });
    expect(env).toEqual({
      AUTOCODER_HOME: home,
      PATH: '/bin',
      ENABLE_SUPERVISORY_AGENT: 'true',
      ANTHROPIC_BASE_URL: 'https://api.z.ai/api/anthropic',
    });
    expect(info).toEqual({
      file: join(home, '.env'),
      exists: true,
      used: ['ENABLE_SUPERVISORY_AGENT', 'ANTHROPIC_BASE_URL'],
      overridden: [],
      ignored: [],
    });
  });

  it('ranks below the real environment, and cannot move AUTOCODER_HOME', () => {
    writeHomeEnv('AUTOCODER_MODEL=from-file\nAUTOCODER_HOME=/elsewhere\nAPI_TIMEOUT_MS=3000000\n');
    const { env, info } = withHomeEnv({ AUTOCODER_HOME: home, AUTOCODER_MODEL: 'from-shell' });
    expect(env.AUTOCODER_MODEL).toBe('from-shell');
    expect(env.AUTOCODER_HOME).toBe(home);
    expect(env.API_TIMEOUT_MS).toBe('3000000');
    expect(info).toMatchObject({
      used: ['API_TIMEOUT_MS'],
      overridden: ['AUTOCODER_MODEL'],
      ignored: ['AUTOCODER_HOME'],
    });
  });

  it('changes nothing when there is no file', () => {
    const given = { AUTOCODER_HOME: home };
    const { env, info } = withHomeEnv(given);
    expect(env).toBe(given);
    expect(info).toEqual({ file: join(home, '.env'), exists: false, used: [], overridden: [], ignored: [] });
  });

  it.each([0o644, 0o640, 0o606, 0o660])('refuses a file others may read or write (mode %o), naming the fix', (mode) => {
    writeHomeEnv('AUTOCODER_SANDBOX=off\n', mode);
    const attempt = () => withHomeEnv({ AUTOCODER_HOME: home });
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow(
      `permissions 0${mode.toString(8)} for ${join(home, '.env')} are too open: it may hold credentials and configures autocoder, so it must be readable by you only. Fix: chmod 600 ${join(home, '.env')}`,
    );
  });

  it('accepts 0400 and refuses a symlink (its target could be any file)', () => {
    writeHomeEnv('A=1\n', 0o400);
    expect(withHomeEnv({ AUTOCODER_HOME: home }).env.A).toBe('1');
    rmSync(join(home, '.env'), { force: true });
    writeFileSync(join(root, 'elsewhere.env'), 'A=2\n', { mode: 0o600 });
    symlinkSync(join(root, 'elsewhere.env'), join(home, '.env'));
    expect(() => withHomeEnv({ AUTOCODER_HOME: home })).toThrow('is not a regular file');
  });
});
