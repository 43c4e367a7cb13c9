import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli, type CliResult } from './cli-process.js';
import { SAMPLE_SPEC } from './fake-anthropic/index.js';

/** `autocoder new notes --dir <root>/notes --spec <the sample spec>`, asserting it succeeded. */
export function createSampleProject(root: string, env: NodeJS.ProcessEnv): { dir: string; created: CliResult } {
  const specFile = join(root, 'spec.txt');
  writeFileSync(specFile, SAMPLE_SPEC);
  const dir = join(root, 'notes');
  const created = cli(['new', 'notes', '--dir', dir, '--spec', specFile], env);
  expect(created.status).toBe(0);
  return { dir, created };
}
