/**
 * Random and malformed requests against the whole API (seeded, so a failure replays): no request
 * may produce a 5xx or leak a stack trace, every answer is JSON, and the server still answers
 * /api/health afterwards. Project paths stay inside the temp folder so nothing outside is touched.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROUTE_DOCS } from '../../src/server/routes/openapi.js';
import { apiHarness, ORIGIN, VALID_SPEC, type ApiHarness } from '../support/api-app.js';
import { mulberry32 } from '../support/prng.js';

// Sends 2500 random requests through the whole API.
vi.setConfig({ testTimeout: 60_000 });

// Replay or explore with API_FUZZ_SEED=<n>.
const SEED = Number(process.env.API_FUZZ_SEED ?? 0x5eed_a11);
const REQUESTS = 2_500;

const prng = mulberry32;

let h: ApiHarness;

beforeAll(async () => {
  h = apiHarness();
  await seedProject();
});
afterAll(() => h.cleanup());

async function seedProject(): Promise<void> {
  await h.createProject('app');
  await h.request('PUT', '/api/projects/app/spec', { spec: VALID_SPEC });
  await h.request('POST', '/api/projects/app/features/bulk', {
    features: ['a', 'b', 'c', 'd'].map((name, i) => ({
      category: 'core',
      name,
      description: name,
      steps: ['s'],
      dependsOnIndices: i > 0 ? [i - 1] : [],
    })),
  });
}

describe('API fuzz', () => {
  it(`survives ${REQUESTS} random requests without a 5xx (seed ${SEED})`, async () => {
    const rand = prng(SEED);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
    const chance = (p: number) => rand() < p;

    const UNICODE = ['é', '日本', '🙂', '\u202e', '\u0000', 'ß', 'Ω', '\ufeff'];
    const randomString = (max = 12): string => {
      const alphabet = 'abcXYZ019-_.~/\\%:?#&= ';
      let s = '';
      for (let i = int(max); i > 0; i--) s += chance(0.15) ? pick(UNICODE) : alphabet[int(alphabet.length)];
      return s;
    };
    const token = (): string =>
      pick([
        () => String(int(8)),
        () => String(-int(5)),
        () => '99999999999999999999',
        () => '1e3',
        () => '0x1',
        () => '..',
        () => '%2e%2e',
        () => '%252e',
        () => '%00',
        () => '%',
        () => '%zz',
        () => encodeURIComponent(randomString()),
        () => pick(['app', 'other', 'p1', 'APP', 'a'.repeat(70), '.hidden', '-x']),
        () => pick(UNICODE),
        () => '',
      ])();

    const SEGMENTS = [
      'api',
      'projects',
      'app',
      'features',
      'graph',
      'bulk',
      'dependencies',
      'skip',
      'retry',
      'reopen',
      'agent',
      'start',
      'stop',
      'pause',
      'resume',
      'status',
      'settings',
      'events',
      'spec',
      'filesystem',
      'list',
      'import',
      'setup',
      'openapi.json',
      'health',
      'ws',
    ];
    /** A path (mostly a real route with random parameters) and the method that route takes, if any. */
    const route = (): { path: string; method: string | null; key: string } => {
      if (chance(0.8)) {
        const doc = pick(ROUTE_DOCS);
        // Deleting the seeded project is rare, so most requests reach the deeper routes.
        const appChance = doc.method === 'delete' && doc.path === '/api/projects/:name' ? 0.1 : 0.8;
        const path = doc.path.replace(/:(\w+)/g, (_m, name: string) =>
          name === 'name' && chance(appChance) ? 'app' : chance(0.7) ? String(1 + int(6)) : token(),
        );
        return { path, method: doc.method.toUpperCase(), key: `${doc.method.toUpperCase()} ${doc.path}` };
      }
      const parts = Array.from({ length: 1 + int(7) }, () => (chance(0.7) ? pick(SEGMENTS) : token()));
      return {
        path: `/${chance(0.9) ? 'api/' : ''}${parts.join('/')}${chance(0.1) ? '/' : ''}`,
        method: null,
        key: '',
      };
    };
    const QUERY_KEYS = ['since', 'limit', 'path', 'showHidden', 'deleteFiles', 'x', ''];
    const queryValue = (): string =>
      pick([
        () => String(int(2000) - 10),
        () => pick(['true', 'false', 'yes', '']),
        () =>
          encodeURIComponent(
            pick([
              '/',
              '/etc',
              '/root/.ssh',
              join(h.user, '..'),
              `${h.user}/%2e%2e`,
              h.home,
              h.user,
              '\\\\srv\\s',
              '//srv/s',
              'relative',
              `${h.root}/work`,
            ]),
          ),
        () => encodeURIComponent(randomString(20)),
        () => token(),
      ])();
    const query = (): string => {
      if (!chance(0.35)) return '';
      const pairs = Array.from({ length: 1 + int(3) }, () => `${pick(QUERY_KEYS)}=${queryValue()}`);
      return `?${pairs.join('&')}`;
    };

    const FIELDS = [
      'name',
      'path',
      'spec',
      'category',
      'description',
      'steps',
      'priority',
      'dependencies',
      'dependencyIds',
      'dependsOnIndices',
      'features',
      'reason',
      'model',
      'yolo',
      'concurrency',
      'maxIterations',
      'sandbox',
      'defaultModel',
      'defaultConcurrency',
      'defaultSandbox',
      'extraCommands',
      'maxAttempts',
      'confirm',
      'baseUrl',
      '__proto__',
      'constructor',
    ];
    const jsonValue = (depth: number): unknown => {
      const kind = int(depth > 2 ? 6 : 9);
      switch (kind) {
        case 0:
          return null;
        case 1:
          return chance(0.5);
        case 2:
          return pick([0, 1, 2, 3, -1, 1.5, 1e308, -0, 2 ** 53, 6]);
        case 3:
          return randomString(16);
        case 4:
          return pick([
            'app',
            'core',
            'bash',
            'cargo',
            'auto',
            'on',
            VALID_SPEC,
            '<project_specification>',
            join(h.root, 'fz', String(int(50))),
            `p${int(3)}`,
            '../up',
            '/',
          ]);
        case 5:
          return '';
        case 6:
          return Array.from({ length: int(4) }, () => jsonValue(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = int(5); i > 0; i--) o[pick(FIELDS)] = jsonValue(depth + 1);
          return o;
        }
      }
    };
    const feature = () => ({ category: pick(['core', 'ui']), name: `f${int(30)}`, description: 'd', steps: ['s'] });
    const VALID: Record<string, () => Record<string, unknown>> = {
      'POST /api/projects': () => ({ name: `p${int(4)}`, path: join(h.root, 'fz', `d${int(20)}`) }),
      'POST /api/projects/import': () => ({ name: `p${int(4)}`, path: join(h.root, 'fz') }),
      'PUT /api/projects/:name/spec': () => ({ spec: VALID_SPEC }),
      'PUT /api/projects/:name/settings': () => ({
        extraCommands: ['make'],
        defaultConcurrency: 1 + int(5),
        yolo: chance(0.5),
        confirm: chance(0.5),
      }),
      'PUT /api/settings': () => ({ defaultModel: 'm', defaultSandbox: pick(['auto', 'off']), confirm: chance(0.5) }),
      'POST /api/projects/:name/features': () => ({ ...feature(), dependencies: [1 + int(6)] }),
      'POST /api/projects/:name/features/bulk': () => ({
        features: [feature(), { ...feature(), dependsOnIndices: [0] }],
      }),
      'PATCH /api/projects/:name/features/:id': () => ({ name: `renamed${int(5)}`, priority: int(10) }),
      'POST /api/projects/:name/features/:id/skip': () => ({ reason: 'later' }),
      'POST /api/projects/:name/features/:id/reopen': () => ({ reason: 'again' }),
      'PUT /api/projects/:name/features/:id/dependencies': () => ({
        dependencyIds: Array.from({ length: int(3) }, () => 1 + int(6)),
      }),
      'POST /api/projects/:name/agent/start': () => ({ model: 'm', concurrency: 1 + int(2) }),
    };
    /** A valid body for the route, often with one field replaced by a random value. */
    const nearlyValid = (key: string): string | undefined => {
      const make = VALID[key];
      if (!make) return undefined;
      const value = make();
      if (chance(0.5)) value[pick([...Object.keys(value), ...FIELDS])] = jsonValue(1);
      return JSON.stringify(value);
    };
    const body = (): string | undefined =>
      pick([
        () => undefined,
        () => JSON.stringify(jsonValue(0)),
        () => JSON.stringify(jsonValue(0)),
        () =>
          JSON.stringify({
            category: 'fz',
            name: randomString(8) || 'n',
            description: '',
            steps: [],
            dependencies: chance(0.5) ? [1 + int(6)] : [],
          }),
        () => JSON.stringify({ dependencyIds: Array.from({ length: int(4) }, () => 1 + int(8)) }),
        () =>
          JSON.stringify({
            name: pick(['p1', 'p2', 'app', 'Bad']),
            path: pick([
              join(h.root, 'fz', `d${int(20)}`),
              `rel${int(5)}`,
              '../x',
              h.home,
              join(h.user, '.ssh'),
              '/',
              h.user,
            ]),
          }),
        () => '{"unterminated": ',
        () => randomString(40),
        () => '\u0000\u0001',
        () => 'x'.repeat(int(50_000)),
        () => '[]',
        () => 'null',
      ])();

    const METHODS = ['GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
    const failures: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const target = route();
      const method = target.method !== null && chance(0.8) ? target.method : pick(METHODS);
      const url = `${target.path}${query()}`;
      const text =
        method === 'GET' || method === 'HEAD'
          ? undefined
          : method === target.method && chance(0.6)
            ? (nearlyValid(target.key) ?? body())
            : body();
      const headers: Record<string, string> = {};
      if (chance(0.1)) headers.host = pick(['evil.example:8888', 'localhost:9999', 'LOCALHOST:8888', '127.0.0.1:8888']);
      if (chance(0.1)) headers.origin = pick(['http://evil.example', 'null', ORIGIN, 'http://127.0.0.1:8888']);
      if (chance(0.15))
        headers['content-type'] = pick([
          'text/plain',
          'application/json; charset=utf-8',
          'multipart/form-data',
          'application/jsonx',
          '',
        ]);
      if (chance(0.05)) headers.authorization = 'Bearer nope';
      let res: Response;
      try {
        res = await h.request(method, url, text, headers);
      } catch (err: unknown) {
        failures.push(`#${i} ${method} ${url}: threw ${String(err)}`);
        continue;
      }
      const answer = method === 'HEAD' ? '' : await res.text();
      if (res.status >= 500)
        failures.push(`#${i} ${method} ${url} ${text?.slice(0, 200) ?? ''} → ${res.status} ${answer.slice(0, 300)}`);
      if (/\n\s+at .+:\d+:\d+/.test(answer)) failures.push(`#${i} ${method} ${url}: stack trace in the answer`);
      // The report downloads Markdown or HTML when asked (or by default); its errors are JSON like every other.
      const document = res.status === 200 && /^\/api\/projects\/[^/?]+\/report(\?|$)/.test(url);
      if (method !== 'HEAD' && answer !== '' && res.status !== 204 && !document) {
        try {
          JSON.parse(answer);
        } catch {
          failures.push(`#${i} ${method} ${url}: not JSON (${res.status}): ${answer.slice(0, 100)}`);
        }
      }
      // Keep the seeded project around so later requests keep reaching the deep routes.
      if (i % 10 === 9 && (await h.request('GET', '/api/projects/app')).status !== 200) {
        if (existsSync(join(h.work, 'app', '.autocoder')))
          await h.request('POST', '/api/projects/import', { name: 'app', path: join(h.work, 'app') });
        else await seedProject();
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    const health = await h.request('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy' });
    expect((await h.request('GET', '/api/projects')).status).toBe(200);
  });
});
