import { describe, expect, it } from 'vitest';
import { failureLoopRequest } from './failure-loop.js';

describe('failureLoopRequest', () => {
  it('keeps the end of each long failure (where the failing check is), saying how much was cut', () => {
    const long = `${'setup line\n'.repeat(200)}check 1 (command "tests pass"): exit code 1 — 3 !== 4`;
    const request = failureLoopRequest({ id: 4, name: 'Add a todo' }, ['short reason', long]);
    expect(request.prompt).toContain('Attempt before last: short reason\n');
    expect(request.prompt).toMatch(/Last attempt: \[… [\d,]+ earlier characters cut\] .*3 !== 4$/s);
    expect(request.prompt.length).toBeLessThan(900);
  });
});
