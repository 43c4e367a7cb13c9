import { describe, expect, it } from 'vitest';
import { isTestingCommand } from './testing-command.js';

const bash = (command: string) => JSON.stringify({ command });

describe('isTestingCommand', () => {
  it('is testing when a part of the command runs tests, a test runner, a browser or an HTTP check', () => {
    for (const command of [
      'npm test',
      'npm run test:e2e',
      'yarn test',
      'cd app && npx vitest run src/a.test.ts',
      'CI=1 npx --yes jest',
      'node --test tests/',
      'python -m pytest -q',
      'timeout 30 playwright-cli open http://127.0.0.1:3000',
      './init.sh; curl -s http://127.0.0.1:3000/ | head',
    ])
      expect(isTestingCommand(bash(command)), command).toBe(true);
  });

  it('is not testing when a word merely says test (files, folders, commit messages)', () => {
    for (const command of [
      'ls src/features test',
      'cat tests/add.test.js',
      'git commit -m "feature #3: add test for todos"',
      'mkdir -p test && touch test/a.js',
      'npm install',
      'npm run build',
      'node server.js',
    ])
      expect(isTestingCommand(bash(command)), command).toBe(false);
  });

  it('reads a command from an input the log cut short, and a plain command', () => {
    expect(isTestingCommand('{"command":"npm test && echo do')).toBe(true);
    expect(isTestingCommand('{"command":"ls test')).toBe(false);
    expect(isTestingCommand('npx vitest')).toBe(true);
  });
});
