import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DismissFindingRequestSchema as DesignDismissRequestSchema } from '../../src/shared/checkpoints.js';
import {
  DesignReviewRequestSchema,
  type DesignFinding,
  type DesignIterationDetailResponse as DesignDetailResponse,
  type DesignReviewResponse as DesignReviewStartResponse,
} from '../../src/shared/design.js';

/**
 * A real HTTP server on 127.0.0.1 that answers the Design API's routes as the contract of issue #18 says (the real
 * routes are built apart), from the records a test gives it: the Design page is tested over real fetches and real
 * bytes. It validates request bodies with the shared schemas, records every request, and changes its records the way
 * the API does (a dismissed finding stays dismissed).
 */
export interface DesignContractServer {
  readonly url: string;
  /** Every request, in order: method, path and the parsed JSON body (undefined for none). */
  readonly requests: { method: string; path: string; body: unknown }[];
  /** What `POST …/design/reviews` answers when the personas are known. */
  startResponse: DesignReviewStartResponse;
  close(): Promise<void>;
}

export interface DesignRecords {
  readonly project: string;
  readonly details: DesignDetailResponse[];
  /** Files by `<n>/<path in the iteration folder>`, e.g. `2/screenshots/home-desktop-light.png`. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** The personas the project has (others are refused with 400). */
  readonly personas: readonly string[];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
const fail = (res: ServerResponse, status: number, code: string, message: string) =>
  send(res, status, { error: { code, message } });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

export async function startDesignContractServer(records: DesignRecords): Promise<DesignContractServer> {
  const details = records.details.map((d) => structuredClone(d));
  const base = `/api/projects/${encodeURIComponent(records.project)}/design`;
  const requests: DesignContractServer['requests'] = [];
  const state = {
    startResponse: { started: true, pid: 4242, personas: ['visual-designer'] } as DesignReviewStartResponse,
  };

  const everyFinding = (): DesignFinding[] => details.flatMap((d) => [...d.findings, ...d.resolved]);

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readJson(req);
      requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
      const rest = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : null;
      if (rest === null) return fail(res, 404, 'NOT_FOUND', `no route ${url.pathname}`);
      if (req.method === 'GET' && rest === '') {
        const list = { iterations: details.map((d) => d.iteration) };
        return send(res, 200, list);
      }
      const one = /^\/(\d+)$/.exec(rest);
      if (req.method === 'GET' && one) {
        const d = details.find((x) => x.iteration.n === Number(one[1]));
        return d ? send(res, 200, d) : fail(res, 404, 'NOT_FOUND', `no design iteration ${one[1]}`);
      }
      const file = /^\/(\d+)\/files\/(.+)$/.exec(rest);
      if (req.method === 'GET' && file) {
        const bytes = records.files.get(`${file[1]}/${decodeURIComponent(file[2]!)}`);
        if (!bytes) return fail(res, 404, 'NOT_FOUND', `no file ${file[2]}`);
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(bytes);
      }
      if (req.method === 'POST' && rest === '/reviews') {
        const parsed = DesignReviewRequestSchema.safeParse(body);
        if (!parsed.success) return fail(res, 400, 'VALIDATION', parsed.error.issues[0]?.message ?? 'bad request');
        const unknown = (parsed.data.personas ?? []).filter((p) => !records.personas.includes(p));
        if (unknown.length > 0) return fail(res, 400, 'VALIDATION', `unknown persona: ${unknown.join(', ')}`);
        return send(res, 202, state.startResponse);
      }
      const dismiss = /^\/findings\/([^/]+)\/dismiss$/.exec(rest);
      if (req.method === 'POST' && dismiss) {
        const parsed = DesignDismissRequestSchema.safeParse(body);
        if (!parsed.success) return fail(res, 400, 'VALIDATION', 'a reason is required');
        const id = decodeURIComponent(dismiss[1]!);
        const hits = everyFinding().filter((f) => f.id === id);
        if (hits.length === 0) return fail(res, 404, 'NOT_FOUND', `no design finding ${id}`);
        for (const f of hits) Object.assign(f, { status: 'dismissed', dismissedReason: parsed.data.reason });
        return send(res, 200, hits[0]);
      }
      return fail(res, 404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`);
    })().catch((err: unknown) => fail(res, 500, 'INTERNAL', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get startResponse() {
      return state.startResponse;
    },
    set startResponse(r) {
      state.startResponse = r;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
