import { describe, expect, it } from 'vitest';
import { requestSettled, shownRunState } from './run-state-view';

describe('shownRunState', () => {
  it('shows the server state when nothing was asked', () => {
    expect(shownRunState('running', null)).toBe('running');
  });

  it('shows "starting" after Start until the server moves, then the server state, running or stopped', () => {
    const asked = { state: 'starting', from: 'stopped' } as const;
    expect(shownRunState('stopped', asked)).toBe('starting');
    expect(shownRunState('running', asked)).toBe('running');
    expect(requestSettled('running', asked)).toBe(true);
    expect(requestSettled('stopped', asked)).toBe(false);
  });

  it('a start after a crash waits for the server to leave "crashed"', () => {
    const asked = { state: 'starting', from: 'crashed' } as const;
    expect(shownRunState('crashed', asked)).toBe('starting');
    expect(shownRunState('running', asked)).toBe('running');
  });

  it('shows "stopping" after Stop until the run has ended, whichever state the server passes through', () => {
    const asked = { state: 'stopping', from: 'running' } as const;
    expect(shownRunState('running', asked)).toBe('stopping');
    expect(shownRunState('stopped', asked)).toBe('stopped');
    expect(shownRunState('paused', { state: 'stopping', from: 'paused' })).toBe('stopping');
  });
});
