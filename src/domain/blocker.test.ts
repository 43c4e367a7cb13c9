import { describe, it, expect } from 'vitest';
import { BLOCKER_TYPES, classifyBlocker, isBlockerType } from './blocker.js';

describe('classifyBlocker', () => {
  it("accepts the agent's own valid type whatever the reason says", () => {
    expect(classifyBlocker('Missing STRIPE_API_KEY', 'unclear_spec')).toBe('unclear_spec');
    expect(classifyBlocker('anything', 'other')).toBe('other');
  });

  it('ignores an invalid agent type and classifies from the reason', () => {
    expect(classifyBlocker('Need the OpenAI API key', 'missing_key')).toBe('credentials');
    expect(classifyBlocker('Need the OpenAI API key', '')).toBe('credentials');
    expect(classifyBlocker('Need the OpenAI API key', null)).toBe('credentials');
  });

  it.each([
    ['This requires feature #12 which is not implemented yet', 'dependency'],
    ['Depends on the auth feature landing first', 'dependency'],
    ['Missing DATABASE_PASSWORD environment variable', 'credentials'],
    ['No OAuth client id configured', 'credentials'],
    ['The Stripe sandbox is unreachable', 'external_service'],
    ['Hit the SendGrid rate limit', 'external_service'],
    ['The spec is ambiguous about which option to use for sorting', 'unclear_spec'],
    ['Please clarify: the spec does not say what happens on empty input', 'unclear_spec'],
    ['Build fails with a TypeScript compile error', 'technical'],
    ['The dev server crashed with an out of memory error', 'technical'],
  ] as const)('classifies %j as %s', (reason, expected) => {
    expect(classifyBlocker(reason)).toBe(expected);
  });

  it("gives 'other' when no keyword matches", () => {
    expect(classifyBlocker('I would like a human to look at this')).toBe('other');
    expect(classifyBlocker('')).toBe('other');
  });

  it('matches whole words only', () => {
    // "down" inside "markdown" or "countdown" is not the word "down".
    expect(classifyBlocker('The markdown renderer looks odd')).toBe('other');
    expect(classifyBlocker('Unsure about countdown wording')).toBe('other');
  });

  it('breaks ties in favour of the more specific type', () => {
    // One credentials hit ("token") and one technical hit ("error").
    expect(classifyBlocker('token error')).toBe('credentials');
    // One external_service hit ("webhook") and one dependency hit ("prerequisite").
    expect(classifyBlocker('webhook prerequisite')).toBe('external_service');
    // One dependency hit and one unclear_spec hit.
    expect(classifyBlocker('prerequisite unclear')).toBe('dependency');
  });

  it('lets the highest score win over tie-break order', () => {
    expect(classifyBlocker('The build fails with a compile error after the version bump, token unrelated')).toBe(
      'technical',
    );
  });

  it('recognises blocker types', () => {
    for (const type of BLOCKER_TYPES) expect(isBlockerType(type)).toBe(true);
    for (const other of ['Dependency', 'missing', null, undefined, 1]) expect(isBlockerType(other)).toBe(false);
  });
});
