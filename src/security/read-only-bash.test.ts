import { describe, expect, it } from 'vitest';
import { readOnlyBashDecision } from './read-only-bash.js';

const allowed = (c: string) => readOnlyBashDecision(c).allow;
const reason = (c: string) => {
  const d = readOnlyBashDecision(c);
  return d.allow ? null : d.reason;
};

describe("reviewers' read-only Bash", () => {
  it('allows reading programs, reading git/npm subcommands, the analysis tools and GETs against the app', () => {
    for (const c of [
      'cat src/app.ts | head -50',
      'grep -rn "innerHTML" src 2>/dev/null',
      'git log --oneline -5 && git diff HEAD~1 -- src',
      'npm audit --json',
      'npx tsc --noEmit -p .',
      'npx eslint src -f json > /dev/null',
      'find src -name "*.ts" | wc -l',
      'curl -s http://127.0.0.1:4100/api/notes',
      'playwright-cli open http://127.0.0.1:4100/',
    ])
      expect([c, allowed(c)]).toEqual([c, true]);
  });

  it('refuses whatever writes, runs or fetches, saying why', () => {
    expect(reason('echo x > notes.txt')).toMatch(/^reviewers only read: it writes notes\.txt/);
    expect(reason('rm -rf dist')).toMatch(/rm is not a reading command/);
    expect(reason('git commit -am wip')).toMatch(/git commit changes or fetches something/);
    expect(reason('git push')).toMatch(/git push/);
    expect(reason('npm install left-pad')).toMatch(/npm install changes or runs something/);
    expect(reason('npm audit fix')).toMatch(/npm audit fix changes the project/);
    expect(reason('npx tsc')).toMatch(/npx tsc needs --noEmit/);
    expect(reason('npx eslint --fix src')).toMatch(/--fix changes files/);
    expect(reason('npx prisma migrate dev')).toMatch(/npx prisma is not an analysis tool/);
    expect(reason('find . -name "*.log" -delete')).toMatch(/find with -delete/);
    expect(reason('curl -X POST http://127.0.0.1:4100/api/notes')).toMatch(/curl may only GET/);
    expect(reason('cat a && sed -i s/a/b/ x')).toMatch(/sed is not a reading command/);
    expect(reason('cat $(echo a)')).toMatch(/plain words/);
  });
});
