import { describe, expect, it } from 'vitest';
import {
  checkpointDurationMs,
  checkpointNumber,
  filtersFrom,
  findingLocation,
  seenText,
  shortCommit,
} from './checkpoint-view';

describe('checkpoint view helpers', () => {
  it('reads the filters from the URL, ignoring values the API would refuse', () => {
    expect(filtersFrom(new URLSearchParams('severity=critical&agent=security&status=open'))).toEqual({
      severity: 'critical',
      agent: 'security',
      status: 'open',
    });
    expect(filtersFrom(new URLSearchParams('severity=high&agent=style&status=&finding=fnd_1'))).toEqual({});
  });

  it('names where a finding is and how often it was seen', () => {
    expect(findingLocation({ file: 'src/a.ts', line: 42 })).toBe('src/a.ts:42');
    expect(findingLocation({ file: 'src/a.ts' })).toBe('src/a.ts');
    expect(findingLocation({})).toBeNull();
    expect(seenText({ seenCount: 1, firstCheckpoint: 2, lastCheckpoint: 2 })).toBe('Seen once (checkpoint 2)');
    expect(seenText({ seenCount: 2, firstCheckpoint: 1, lastCheckpoint: 3 })).toBe('Seen 2× (checkpoints 1–3)');
  });

  it('takes only positive whole checkpoint numbers from the path; shortens commits; times finished checkpoints', () => {
    expect(checkpointNumber('3')).toBe(3);
    for (const bad of [undefined, '0', '-1', '1.5', 'x', '01']) expect(checkpointNumber(bad)).toBeNull();
    expect(shortCommit('1a2b3c4d5e6f')).toBe('1a2b3c4');
    expect(checkpointDurationMs({ startedAt: 1000, endedAt: 4000 })).toBe(3000);
    expect(checkpointDurationMs({ startedAt: 1000, endedAt: null })).toBeNull();
  });
});
