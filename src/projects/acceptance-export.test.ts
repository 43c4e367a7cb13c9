import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, openTempProject, type TempDir, type TempProject } from '../../test/support/tmp.js';
import type { AcceptanceCheck } from '../shared/acceptance.js';
import { acceptanceExportFile, exportAcceptance } from './acceptance-export.js';

const checks = (run: string): AcceptanceCheck[] => [{ kind: 'command', run }];

describe('exportAcceptance', () => {
  let project: TempProject;
  let out: TempDir;
  const read = (dir: string, id: number) =>
    JSON.parse(readFileSync(join(dir, acceptanceExportFile(id)), 'utf8')) as Record<string, unknown>;
  const mode = (dir: string, id: number) => lstatSync(join(dir, acceptanceExportFile(id))).mode & 0o777;

  beforeEach(() => {
    project = openTempProject();
    out = makeTempDir('ac-export-');
    const f = project.store.features;
    f.create({ category: 'c', name: 'one', description: 'd', steps: ['s'], acceptance: checks('npm test') });
    f.create({ category: 'c', name: 'none', description: 'd', steps: ['s'] });
    f.create({ category: 'c', name: 'three', description: 'd', steps: ['s'], acceptance: checks('node --test') });
  });
  afterEach(() => {
    project.cleanup();
    out.cleanup();
  });

  it('writes one read-only file per feature with checks (the checks, their hash, how to dispute), none for the others', () => {
    const result = exportAcceptance(out.dir, project.store.features);
    expect(result).toMatchObject({ written: [1, 3], unchanged: [], removed: [] });
    expect(readdirSync(join(out.dir, '.autocoder', 'acceptance')).sort()).toEqual(['feature-1.json', 'feature-3.json']);
    const one = project.store.features.get(1);
    expect(read(out.dir, 1)).toEqual({
      featureId: 1,
      name: 'one',
      acceptanceHash: one.acceptanceHash,
      frozen: expect.stringContaining('feature_dispute_acceptance'),
      acceptance: checks('npm test'),
    });
    expect(mode(out.dir, 1)).toBe(0o444);
    // Idempotent: nothing rewritten when nothing changed; a plain list of features works too.
    expect(exportAcceptance(out.dir, project.store.features.list())).toMatchObject({ written: [], unchanged: [1, 3] });
  });

  it('rewrites a tampered file, replaces a symlink planted in its place without following it, drops stale files', () => {
    exportAcceptance(out.dir, project.store.features);
    const dir = join(out.dir, '.autocoder', 'acceptance');
    chmodSync(join(dir, 'feature-1.json'), 0o644);
    writeFileSync(join(dir, 'feature-1.json'), '[]');
    // A symlink in feature 3's place pointing at a file the export must never write.
    const victim = join(out.dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    chmodSync(join(dir, 'feature-3.json'), 0o644);
    rmSync(join(dir, 'feature-3.json'));
    symlinkSync(victim, join(dir, 'feature-3.json'));
    // A file of a feature that has no checks (or no longer exists).
    writeFileSync(join(dir, 'feature-2.json'), '{}');
    writeFileSync(join(dir, 'feature-99.json'), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    const result = exportAcceptance(out.dir, project.store.features);
    expect(result).toMatchObject({ written: [1, 3], removed: [2, 99] });
    expect(read(out.dir, 1).acceptance).toEqual(checks('npm test'));
    expect(lstatSync(join(dir, 'feature-3.json')).isSymbolicLink()).toBe(false);
    expect(read(out.dir, 3).acceptance).toEqual(checks('node --test'));
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(readdirSync(dir).sort()).toEqual(['feature-1.json', 'feature-3.json', 'notes.txt']);
    expect([mode(out.dir, 1), mode(out.dir, 3)]).toEqual([0o444, 0o444]);
  });

  it('follows changed checks (an accepted dispute) and replaces a file or symlink where the folder should be', () => {
    exportAcceptance(out.dir, project.store.features);
    const claim = project.store.claims.claimNext('s')?.claim;
    if (!claim) throw new Error('nothing claimed');
    const { dispute } = project.store.disputes.open(claim, {
      reason: 'wrong command',
      proposed: checks('npm run check'),
    });
    project.store.disputes.decide(dispute.id, { accept: true, by: 'human', reason: null });
    expect(exportAcceptance(out.dir, project.store.features)).toMatchObject({ written: [1], unchanged: [3] });
    expect(read(out.dir, 1)).toMatchObject({
      acceptance: checks('npm run check'),
      acceptanceHash: project.store.features.get(1).acceptanceHash,
    });

    const other = makeTempDir('ac-export-link-');
    try {
      mkdirSync(join(other.dir, '.autocoder'));
      const elsewhere = join(other.dir, 'elsewhere');
      mkdirSync(elsewhere);
      symlinkSync(elsewhere, join(other.dir, '.autocoder', 'acceptance'));
      exportAcceptance(other.dir, project.store.features);
      expect(lstatSync(join(other.dir, '.autocoder', 'acceptance')).isDirectory()).toBe(true);
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      other.cleanup();
    }
  });

  it('refuses a project whose .autocoder is not a folder (never writes through a symlink)', () => {
    const target = join(out.dir, 'target');
    mkdirSync(target);
    const project2 = join(out.dir, 'p');
    mkdirSync(project2);
    symlinkSync(target, join(project2, '.autocoder'));
    expect(() => exportAcceptance(project2, project.store.features)).toThrow(/not a folder/);
    expect(existsSync(join(target, 'acceptance'))).toBe(false);
  });
});
