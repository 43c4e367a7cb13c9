/**
 * The redactor's speed: it runs on every line a session writes (each event, each transcript
 * line, every string of a tool's arguments). Builds one redactor from 5 secrets as a run has
 * them (three provider keys, two answered human secrets) and masks realistic lines: a tool
 * result of ~700 characters holding all 5 (raw, Basic base64, URL-encoded, hex, JSON), the same
 * line without any secret (the common case), and a 3,000-character multi-line tool output.
 * Prints lines/s (median of several runs); also the time to build the redactor.
 */
import { performance } from 'node:perf_hooks';
import { createRedactingStream } from '../src/security/redacting-stream.js';
import { combineRedactors, createRedactor, type Redactor } from '../src/security/redactor.js';

const RUNS = 7;
const LINES = 20_000;

const API_KEY =
  'sk-ant-api03-Qw7Zr2Lp9Xv4Nc8Bt1Mk6Hs3Jd5Fg0Ay-e_Ui7Op2Rt9Ye4Wq1As8Df3Gh6Jk0Lz5Xc2Vb7Nm4Qp9Wo1Ei3Ru6Ty8Ui0Op2As4Df6Gh8JkAA';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6';
const DB_PASSWORD = 'p@ss word+42!';
const MAPS_KEY = 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY';

function line(withSecrets: boolean): string {
  const s = (secret: string, shown: string) => (withSecrets ? shown : 'x'.repeat(Math.min(shown.length, 40)));
  const text = [
    `$ npm test -- --reporter=dot  (cwd /home/dev/projects/groceries, node v20.11.1)`,
    `ANTHROPIC_API_KEY=${s(API_KEY, API_KEY)}`,
    `curl -H "Authorization: Basic ${s(AWS_SECRET, Buffer.from(`admin:${AWS_SECRET}`).toString('base64'))}" http://localhost:5173/api/health`,
    `GET /callback?token=${s(DB_PASSWORD, encodeURIComponent(DB_PASSWORD))}&state=ok 200 in 12ms`,
    `session ${s(SESSION_TOKEN, Buffer.from(SESSION_TOKEN).toString('hex'))}`,
    `{"mapsKey":${s(MAPS_KEY, JSON.stringify(MAPS_KEY))},"zoom":12}`,
    ' ✓ src/list.test.ts (14 tests) 32ms  ✓ src/sync.test.ts (9 tests) 51ms',
  ].join('\\n');
  return JSON.stringify({ kind: 'tool_result', isError: false, text });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function linesPerSecond(redact: Redactor, text: string): number {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (let i = 0; i < LINES; i++) redact(text);
    rates.push(LINES / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

export function run(): Promise<void> {
  const started = performance.now();
  const redact = combineRedactors(
    createRedactor([API_KEY, AWS_SECRET, SESSION_TOKEN]),
    createRedactor([DB_PASSWORD, MAPS_KEY], { minLength: 4 }),
  );
  const buildMs = performance.now() - started;
  const secretLine = line(true);
  const masked = redact(secretLine);
  if ((masked.match(/«redacted»/g) ?? []).length !== 5)
    throw new Error(`expected 5 masks in the bench line, got: ${masked}`);
  const cleanLine = line(false);
  const output = Array.from(
    { length: 60 },
    (_, i) => `  ${i % 7 === 0 ? '✓' : '·'} test case number ${i} passed in ${(i * 7) % 50}ms`,
  )
    .join('\n')
    .slice(0, 3000);
  const pieces = secretLine.match(/.{1,12}/gs) ?? [];
  const streamStarted = performance.now();
  const streams = 200;
  for (let i = 0; i < streams; i++) {
    const stream = createRedactingStream(redact);
    for (const piece of pieces) stream.push(piece);
    stream.flush();
  }
  const streamMs = (performance.now() - streamStarted) / streams;

  const rows: [string, string][] = [
    ['build the redactor (5 secrets)', `${buildMs.toFixed(2)} ms`],
    [
      `line with 5 secrets (${secretLine.length} chars)`,
      `${Math.round(linesPerSecond(redact, secretLine)).toLocaleString('en')} lines/s`,
    ],
    [
      `same line, no secret (${cleanLine.length} chars)`,
      `${Math.round(linesPerSecond(redact, cleanLine)).toLocaleString('en')} lines/s`,
    ],
    [
      `multi-line tool output (${output.length} chars)`,
      `${Math.round(linesPerSecond(redact, output)).toLocaleString('en')} lines/s`,
    ],
    [`stream: the 5-secret line in ${pieces.length} pieces of 12`, `${streamMs.toFixed(2)} ms per line`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(
    `redactor, median of ${RUNS} runs of ${LINES.toLocaleString('en')} lines\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n`,
  );
  return Promise.resolve();
}
