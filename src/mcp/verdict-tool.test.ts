import { describe, expect, it } from 'vitest';
import { createVerdictTool, type Verdict } from './verdict-tool.js';

const text = (r: { content: { text: string }[] }) => r.content.map((c) => c.text).join('\n');

describe('verifier_verdict', () => {
  it('records the first valid verdict; a second call is refused', async () => {
    const got: Verdict[] = [];
    const tool = createVerdictTool((v) => got.push(v));
    const first = await tool.handler({ verdict: 'pass', reasons: [] });
    expect(first.isError).toBeUndefined();
    expect(got).toEqual([{ verdict: 'pass', reasons: [] }]);
    const again = await tool.handler({ verdict: 'reject', reasons: ['changed my mind'] });
    expect(again.isError).toBe(true);
    expect(text(again)).toContain('you gave your verdict (pass) already');
    expect(got).toHaveLength(1);
  });

  it('refuses a reject without reasons, an unknown verdict and unknown fields, recording nothing', async () => {
    const got: Verdict[] = [];
    const tool = createVerdictTool((v) => got.push(v));
    expect(text(await tool.handler({ verdict: 'reject', reasons: [] }))).toContain(
      'a reject needs at least one reason',
    );
    expect(text(await tool.handler({ verdict: 'maybe', reasons: [] }))).toContain('verdict');
    expect(text(await tool.handler({ verdict: 'pass', reasons: [], extra: 1 }))).toContain('invalid input');
    expect(got).toEqual([]);
  });
});
