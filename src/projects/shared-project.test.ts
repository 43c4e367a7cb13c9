import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { normalizeRemote, projectRemote, REMOTE_SETTING } from './shared-project.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-remote-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (raw: string): string => {
  try {
    normalizeRemote(raw, dir);
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details).toEqual({ field: 'remote' });
    return (err as AppError).message;
  }
  throw new Error(`${raw} was accepted`);
};

describe('normalizeRemote (#20)', () => {
  it('takes URLs git speaks and scp-like addresses as they are, and makes a folder path absolute', () => {
    for (const url of [
      'ssh://git@example.com/team/app.git',
      'https://example.com/team/app.git',
      'file:///srv/git/app.git',
      'git@example.com:team/app.git',
    ])
      expect(normalizeRemote(url, dir)).toBe(url);
    expect(normalizeRemote('.', dir)).toBe(dir);
  });

  it('refuses what git would read as an option, other schemes, missing folders and credentials in the URL', () => {
    expect(refusal('--upload-pack=touch /tmp/x')).toContain('may not start with "-"');
    expect(refusal('ftp://example.com/app.git')).toContain('git does not speak "ftp://"');
    expect(refusal('no/such/folder')).toContain('is not a folder');
    expect(refusal('https://me:ghp_secret@example.com/app.git')).toContain('readable by the agents');
    expect(refusal('ssh://example.com/a\nb')).toContain('control characters');
    expect(refusal('   ')).toContain('empty');
  });

  it("reads the project's remote from the registry's setting; none for a project of one machine", () => {
    const settings = new Map([[REMOTE_SETTING, JSON.stringify('ssh://example.com/app.git')]]);
    expect(projectRemote({ getProjectSetting: (_p, k) => settings.get(k) }, 'shop')).toBe('ssh://example.com/app.git');
    expect(projectRemote({ getProjectSetting: () => undefined }, 'shop')).toBeNull();
  });
});
