import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger, lineSink } from './logger.js';

const collect = () => {
  const lines: string[] = [];
  return {
    lines,
    sink: { write: (line: string) => void lines.push(line) },
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
};

describe('createLogger', () => {
  it('writes one JSON line per call with an ISO time, the level as a word, the pid, the name and the fields', () => {
    const out = collect();
    createLogger(out.sink, { level: 'info', name: 'runner' }).info({ project: 'shop' }, 'run started');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]?.endsWith('\n')).toBe(true);
    const [record] = out.records();
    expect(record).toMatchObject({
      level: 'info',
      name: 'runner',
      pid: process.pid,
      project: 'shop',
      msg: 'run started',
    });
    expect(new Date(record?.time as string).toISOString()).toBe(record?.time);
  });

  it('leaves out what is below its level', () => {
    const out = collect();
    const log = createLogger(out.sink, { level: 'warn' });
    log.info('not shown');
    log.debug('not shown');
    log.warn('shown');
    log.error('shown too');
    expect(out.records().map((r) => r.level)).toEqual(['warn', 'error']);
  });

  it('writes nothing at level silent', () => {
    const out = collect();
    createLogger(out.sink, { level: 'silent' }).fatal('nobody hears this');
    expect(out.lines).toEqual([]);
  });

  it('records an error with its type, message, stack and cause', () => {
    const out = collect();
    const cause = new Error('disk full');
    createLogger(out.sink, { level: 'info' }).error({ err: new TypeError('cannot save', { cause }) }, 'request failed');
    const err = out.records()[0]?.err as { type: string; message: string; stack: string; cause?: { message: string } };
    expect(err.type).toBe('TypeError');
    expect(err.message).toContain('cannot save');
    expect(err.stack).toContain('logger.test.ts');
    expect(err.message).toContain('disk full');
  });
});

describe('lineSink', () => {
  it('passes JSON lines through unchanged when not pretty', () => {
    const written: string[] = [];
    createLogger(
      lineSink((t) => void written.push(t), { pretty: false }),
      { level: 'info' },
    ).info({ port: 8888 }, 'listening');
    expect(JSON.parse(written[0] as string)).toMatchObject({ msg: 'listening', port: 8888 });
  });

  it('turns each line into a readable one for a terminal: level, message and fields, no JSON', () => {
    const written: string[] = [];
    createLogger(
      lineSink((t) => void written.push(t), { pretty: true }),
      { level: 'info' },
    ).warn({ port: 8888 }, 'listening late');
    const text = stripVTControlCharacters(written[0] as string);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: listening late\n\s+port: 8888\n$/);
  });
});
