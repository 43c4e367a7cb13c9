import { describe, expect, it } from 'vitest';
import { RUN_OUTCOMES as DOMAIN_OUTCOMES } from '../domain/run-outcome.js';
import { RUN_OUTCOMES as WIRE_OUTCOMES, RUN_OUTCOME_TITLE } from '../shared/runs.js';

describe('run outcomes', () => {
  it('the wire list (src/shared, zod only) repeats the domain list exactly, and every outcome has a headline', () => {
    expect([...WIRE_OUTCOMES]).toEqual([...DOMAIN_OUTCOMES]);
    expect(Object.keys(RUN_OUTCOME_TITLE).sort()).toEqual([...DOMAIN_OUTCOMES].sort());
  });
});
