import { afterEach, describe, it, expect } from 'vitest';
import type { Conversation } from './conversation.js';
import { reply, type Reply } from './reply.js';
import { startScriptedModelServer, type Script, type ScriptedModelServer } from './server.js';

const TOOLS = [{ name: 'Bash', input_schema: { type: 'object' } }];

let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(script: Script): Promise<ScriptedModelServer> {
  server = await startScriptedModelServer(script);
  return server;
}

function body(
  prompt: string,
  options: { stream?: boolean; tools?: unknown[]; extra?: Record<string, unknown>; messages?: unknown[] } = {},
): Record<string, unknown> {
  return {
    model: 'claude-test',
    max_tokens: 1000,
    stream: options.stream ?? false,
    tools: options.tools ?? TOOLS,
    messages: options.messages ?? [{ role: 'user', content: prompt }],
    ...options.extra,
  };
}

function post(
  s: ScriptedModelServer,
  payload: Record<string, unknown>,
  path = '/v1/messages?beta=true',
): Promise<Response> {
  return fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim().length > 0)
    .map((chunk) => {
      const event = /^event: (.+)$/m.exec(chunk)?.[1] ?? '';
      const data = /^data: (.+)$/m.exec(chunk)?.[1] ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

/** Reads a streamed reply to the end; `ok: false` when the connection broke (status 0: before the headers). */
async function readStream(
  s: ScriptedModelServer,
  payload: Record<string, unknown>,
): Promise<{ status: number; ok: boolean; text: string }> {
  let status = 0;
  let text = '';
  try {
    const res = await post(s, payload);
    status = res.status;
    const reader = res.body?.getReader();
    if (!reader) return { status, ok: false, text };
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { status, ok: true, text };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { status, ok: false, text };
  }
}

const echo: Script = (conv) => reply().text(`turn ${conv.turn}: ${conv.prompt}`).tool('Bash', { command: 'ls' });

describe('startScriptedModelServer', () => {
  it('answers POST /v1/messages?beta=true with a JSON message', async () => {
    const s = await start(echo);
    const res = await post(s, body('hello'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const msg = (await res.json()) as {
      type: string;
      model: string;
      content: { type: string; text?: string; name?: string }[];
      stop_reason: string;
    };
    expect(msg.type).toBe('message');
    expect(msg.model).toBe('claude-test');
    expect(msg.content[0]).toEqual({ type: 'text', text: 'turn 0: hello' });
    expect(msg.content[1]).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'ls' } });
    expect(msg.stop_reason).toBe('tool_use');
  });

  it('streams SSE when stream is true', async () => {
    const s = await start(echo);
    const res = await post(s, body('hi', { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await res.text());
    expect(events[0]?.event).toBe('message_start');
    expect(events.at(-1)?.event).toBe('message_stop');
    const text = events.find((e) => e.event === 'content_block_delta')?.data.delta as { text?: string };
    expect(text.text).toBe('turn 0: hi');
  });

  it('uses "scripted-model" when the request names no model', async () => {
    const s = await start(() => reply().text('x'));
    const payload = body('p');
    delete payload.model;
    const msg = (await (await post(s, payload)).json()) as { model: string };
    expect(msg.model).toBe('scripted-model');
  });

  it('answers side calls (no tools) itself, with a JSON title when a json_schema format is asked', async () => {
    let scriptCalls = 0;
    const s = await start(() => {
      scriptCalls += 1;
      return reply().text('main');
    });
    const json = (await (
      await post(
        s,
        body('title please', { tools: [], extra: { output_config: { format: { type: 'json_schema', schema: {} } } } }),
      )
    ).json()) as {
      content: { text: string }[];
    };
    expect(JSON.parse(json.content[0]?.text ?? '')).toEqual({ title: 'Scripted session' });

    const plain = (await (await post(s, body('summary', { tools: [] }))).json()) as { content: { text: string }[] };
    expect(plain.content[0]?.text).toBe('Scripted session');
    expect(scriptCalls).toBe(0);
    expect(s.requests.map((r) => r.sideCall)).toEqual([true, true]);
  });

  it('answers 404 for other paths and methods', async () => {
    const s = await start(echo);
    const other = await post(s, body('x'), '/v1/complete');
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
    const get = await fetch(`${s.url}/v1/messages`);
    expect(get.status).toBe(404);
    await get.text();
    expect(s.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/v1/complete', 404],
      ['GET', '/v1/messages', 404],
    ]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const s = await start(echo);
    const res = await fetch(`${s.url}/v1/messages`, { method: 'POST', body: '{not json' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('returns an injected status fault once, then answers normally', async () => {
    const s = await start(echo);
    s.inject({ fault: { kind: 'status', status: 529, headers: { 'retry-after': '3' } } });
    const first = await post(s, body('a'));
    expect(first.status).toBe(529);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(((await first.json()) as { error: { type: string } }).error.type).toBe('overloaded_error');
    const second = await post(s, body('a'));
    expect(second.status).toBe(200);
    await second.json();
    expect(s.requests.map((r) => [r.status, r.fault])).toEqual([
      [529, 'status'],
      [200, null],
    ]);
  });

  it('applies a fault only to matching main-loop requests, as many times as asked', async () => {
    const s = await start(echo);
    s.inject({
      fault: { kind: 'status', status: 500, body: { custom: true } },
      when: (c) => c.prompt === 'target',
      times: 2,
    });
    const side = await post(s, body('target', { tools: [] }));
    expect(side.status).toBe(200);
    await side.json();
    const other = await post(s, body('other'));
    expect(other.status).toBe(200);
    await other.json();
    const hit1 = await post(s, body('target'));
    expect(hit1.status).toBe(500);
    expect(await hit1.json()).toEqual({ custom: true });
    const hit2 = await post(s, body('target'));
    expect(hit2.status).toBe(500);
    await hit2.json();
    const after = await post(s, body('target'));
    expect(after.status).toBe(200);
    await after.json();
  });

  it('cuts the stream mid-reply on a cut fault', async () => {
    const s = await start(echo);
    s.inject({ fault: { kind: 'cut' } });
    const cut = await readStream(s, body('x', { stream: true }));
    // The response started (headers arrived) and then the body broke off.
    expect(cut.status).toBe(200);
    expect(cut.ok).toBe(false);
    expect(cut.text).toContain('event: message_start');
    expect(cut.text).not.toContain('message_stop');
    expect(s.requests[0]?.fault).toBe('cut');

    const whole = await readStream(s, body('x', { stream: true }));
    expect(whole).toMatchObject({ status: 200, ok: true });
    expect(whole.text).toContain('event: message_stop');
  });

  it('sends an SSE error event on an sse_error fault', async () => {
    const s = await start(echo);
    s.inject({ fault: { kind: 'sse_error' } });
    const res = await post(s, body('x', { stream: true }));
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['message_start', 'ping', 'error']);
    expect(events[2]?.data).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(s.requests[0]?.fault).toBe('sse_error');
  });

  it('answers 500 when the script throws', async () => {
    const s = await start(() => {
      throw new Error('no reply scripted for this turn');
    });
    const res = await post(s, body('x'));
    expect(res.status).toBe(500);
    const err = (await res.json()) as { error: { type: string; message: string } };
    expect(err.error.type).toBe('api_error');
    expect(err.error.message).toContain('no reply scripted for this turn');
    expect(s.requests[0]?.status).toBe(500);
  });

  it('awaits an async script', async () => {
    const s = await start(async (conv): Promise<Reply> => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return reply().text(`async ${conv.prompt}`);
    });
    const msg = (await (await post(s, body('p'))).json()) as { content: { text: string }[]; stop_reason: string };
    expect(msg.content[0]?.text).toBe('async p');
    expect(msg.stop_reason).toBe('end_turn');
  });

  it('waitForRequest resolves with the first matching main-loop request', async () => {
    const s = await start(echo);
    const waiting = s.waitForRequest((c) => c.prompt === 'wanted', 10_000);
    await (await post(s, body('wanted', { tools: [] }))).json();
    await (await post(s, body('other'))).json();
    await (await post(s, body('wanted'))).json();
    const conv: Conversation = await waiting;
    expect(conv.prompt).toBe('wanted');
    expect(conv.isSideCall).toBe(false);
  });

  it('waitForRequest rejects after its timeout', async () => {
    const s = await start(echo);
    await (await post(s, body('other'))).json();
    await expect(s.waitForRequest((c) => c.prompt === 'never', 50)).rejects.toThrow(
      'no matching model request within 50 ms',
    );
  });

  it('logs turn, side call, tools, prompt, last tool results and faults', async () => {
    const s = await start(echo);
    await (await post(s, body('first'))).json();
    const messages = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_a', name: 'Bash', input: { command: 'ls' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: 'file.txt' }] },
    ];
    s.inject({ fault: { kind: 'status', status: 529 } });
    await (await post(s, body('', { messages }))).json();
    await (await post(s, body('', { messages, stream: true }))).text();
    await (await post(s, body('t', { tools: [] }))).json();

    expect(
      s.requests.map((r) => ({
        turn: r.turn,
        sideCall: r.sideCall,
        fault: r.fault,
        status: r.status,
        stream: r.stream,
      })),
    ).toEqual([
      { turn: 0, sideCall: false, fault: null, status: 200, stream: false },
      { turn: 1, sideCall: false, fault: 'status', status: 529, stream: false },
      { turn: 1, sideCall: false, fault: null, status: 200, stream: true },
      { turn: 0, sideCall: true, fault: null, status: 200, stream: false },
    ]);
    const third = s.requests[2];
    expect(third?.prompt).toBe('first');
    expect(third?.toolNames).toEqual(['Bash']);
    expect(third?.model).toBe('claude-test');
    expect(third?.path).toBe('/v1/messages');
    expect(third?.lastToolResults).toEqual([
      { toolUseId: 'toolu_a', name: 'Bash', input: { command: 'ls' }, isError: false, text: 'file.txt' },
    ]);
  });

  it('busyMs grows with the time spent answering', async () => {
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const s = await start(async () => {
      await gate;
      return reply().text('late');
    });
    expect(s.busyMs()).toBe(0);
    const arrived = s.waitForRequest(() => true, 10_000);
    const pending = post(s, body('slow'));
    await arrived;
    // Let the clock move on while the request is held, without a fixed sleep.
    const heldFrom = Date.now();
    while (Date.now() - heldFrom < 20) await new Promise<void>((resolve) => setImmediate(resolve));
    release();
    await (await pending).json();
    expect(s.busyMs()).toBeGreaterThanOrEqual(20);
    expect(s.busyMs()).toBe(s.requests.reduce((sum, r) => sum + r.durationMs, 0));
  });
});
