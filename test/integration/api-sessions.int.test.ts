import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { FeatureDetailSchema, TranscriptResponseSchema } from '../../src/shared/api.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

let h: ApiHarness;
let dir: string;

beforeEach(async () => {
  h = apiHarness();
  dir = await h.createProject('alpha');
});
afterEach(() => h.cleanup());

function addSession(id: string, transcriptPath: string, lines: unknown[] | null): void {
  if (lines) {
    mkdirSync(join(transcriptPath, '..'), { recursive: true });
    writeFileSync(transcriptPath, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  }
  const store = h.store('alpha');
  try {
    store.sessions.start({ id, runId: null, slot: 0, role: 'coding', featureIds: [], model: null, transcriptPath });
  } finally {
    store.close();
  }
}

describe('GET /api/projects/:name/sessions/:id/transcript', () => {
  it('returns the transcript a page at a time, each JSON line an entry', async () => {
    const logs = projectPaths(dir).logs;
    const lines = Array.from({ length: 7 }, (_, i) => ({ at: i, type: 'text', text: `line ${i}` }));
    addSession('ses_a', join(logs, 'ses_a.jsonl'), [...lines, 'not json']);
    const first = await h.json('GET', '/api/projects/alpha/sessions/ses_a/transcript?limit=5');
    expect(first.status).toBe(200);
    const page1 = TranscriptResponseSchema.parse(first.body);
    expect(page1).toMatchObject({ sessionId: 'ses_a', total: 8, next: 5 });
    expect(page1.entries.map((e) => e['text'])).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
    const page2 = TranscriptResponseSchema.parse(
      (await h.json('GET', '/api/projects/alpha/sessions/ses_a/transcript?offset=5&limit=5')).body,
    );
    expect(page2.next).toBeNull();
    expect(page2.entries.at(-1)).toEqual({ unparsed: 'not json' });
  });

  it('refuses unknown sessions, bad ids and bad paging, and never reads a file outside the project logs', async () => {
    expect((await h.json('GET', '/api/projects/alpha/sessions/ses_missing/transcript')).status).toBe(404);
    expect((await h.json('GET', '/api/projects/alpha/sessions/..%2F..%2Fetc/transcript')).status).toBe(400);
    expect((await h.json('GET', '/api/projects/alpha/sessions/ses_a/transcript?limit=0')).status).toBe(400);
    expect((await h.json('GET', '/api/projects/alpha/sessions/ses_a/transcript?bogus=1')).status).toBe(400);
    // A row pointing elsewhere (a tampered database) is not followed.
    const outside = join(h.root, 'secret.jsonl');
    writeFileSync(outside, '{"text":"secret"}\n');
    addSession('ses_evil', outside, null);
    const res = await h.json<{ error: { message: string } }>('GET', '/api/projects/alpha/sessions/ses_evil/transcript');
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('secret"');
    // A transcript that was deleted is a clear 404.
    addSession('ses_gone', join(projectPaths(dir).logs, 'ses_gone.jsonl'), null);
    expect(
      (await h.json<{ error: { message: string } }>('GET', '/api/projects/alpha/sessions/ses_gone/transcript')).body
        .error.message,
    ).toMatch(/gone/);
  });

  it('the feature detail carries the evidence recorded when it passed', async () => {
    const store = h.store('alpha');
    try {
      const f = store.features.create({ category: 'c', name: 'n', description: '', steps: [] });
      const claimed = store.claims.claimFeature(f.id, 'test');
      store.claims.markPassing(claimed.claim, { tests: 3, commit: 'abc123' });
    } finally {
      store.close();
    }
    const detail = FeatureDetailSchema.parse((await h.json('GET', '/api/projects/alpha/features/1')).body);
    expect(detail.evidence).toEqual([{ tests: 3, commit: 'abc123' }]);
  });
});
