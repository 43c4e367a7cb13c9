import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { ReportSchema } from '../../src/shared/report.js';
import { seedReportProject } from '../support/report-seed.js';

let root: string;
let server: RunningServer;

async function get(
  path: string,
): Promise<{ status: number; type: string | null; disposition: string | null; text: string }> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    text: await res.text(),
  };
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'ac-report-api-'));
  const env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  seedReportProject(root, env);
  server = await startServer({ env, cwd: root, host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('GET /api/projects/:name/report', () => {
  it('downloads Markdown by default, HTML and JSON on request, each with its type and file name', async () => {
    const md = await get('/api/projects/beta/report');
    expect(md).toMatchObject({
      status: 200,
      type: 'text/markdown; charset=utf-8',
      disposition: 'attachment; filename="beta-report.md"',
    });
    expect(md.text).toMatch(/^# Report: beta\n/);
    const html = await get('/api/projects/beta/report?format=html');
    expect(html).toMatchObject({
      status: 200,
      type: 'text/html; charset=utf-8',
      disposition: 'attachment; filename="beta-report.html"',
    });
    expect(html.text).toMatch(/^<!doctype html>/);
    expect(html.text).not.toMatch(/<img|<script/);
    const json = await get('/api/projects/beta/report?format=json&run=run_1');
    expect(json).toMatchObject({
      status: 200,
      type: 'application/json; charset=utf-8',
      disposition: 'attachment; filename="beta-report.json"',
    });
    const report = ReportSchema.parse(JSON.parse(json.text));
    expect(report).toMatchObject({ project: 'beta', runId: 'run_1' });
    expect(report.backlog.map((f) => [f.id, f.verified])).toEqual([
      [4, false],
      [2, true],
      [1, true],
      [3, false],
    ]);
  });

  it('400 naming the field for a bad format or run, 404 for an unknown project', async () => {
    const format = await get('/api/projects/beta/report?format=pdf');
    expect(format.status).toBe(400);
    expect(JSON.parse(format.text)).toMatchObject({ error: { details: { field: 'format' } } });
    expect(format.text).toContain('expected md, html or json');
    const bad = await get('/api/projects/beta/report?run=..%2Fx');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { details: { field: 'run' } } });
    const unknown = await get('/api/projects/beta/report?format=html&run=run_9');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('run: no run \\"run_9\\" in project beta');
    expect((await get('/api/projects/beta/report?bogus=1')).status).toBe(400);
    expect((await get('/api/projects/nobody/report')).status).toBe(404);
  });

  it('is in the OpenAPI document with its query and the three content types', async () => {
    const doc = JSON.parse((await get('/api/openapi.json')).text) as {
      paths: Record<
        string,
        { get?: { parameters?: { name: string }[]; responses: Record<string, { content: object }> } }
      >;
    };
    const op = doc.paths['/api/projects/{name}/report']?.get;
    expect(op?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['format', 'run']));
    expect(Object.keys(op?.responses['200']?.content ?? {})).toEqual([
      'text/markdown',
      'text/html',
      'application/json',
    ]);
  });
});
