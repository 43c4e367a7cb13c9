import { type Command, InvalidArgumentError } from 'commander';
import { openProjectStore, openRegistry, type ProjectStore } from '../../compose.js';
import { resolveProject } from '../../projects/projects.js';
import type { CliContext } from '../context.js';
import type { StoredEvent } from '../../shared/events.js';
import { sessionLogText } from '../../shared/log-text.js';
import { DEMO_MODEL, DEMO_MODEL_LABEL } from '../../shared/runs.js';

const BATCH = 500;
const POLL_MS = 250;

interface LogsOptions {
  follow?: boolean;
  slot?: number;
  session?: string;
  since?: number;
  json?: boolean;
}

const wholeNumber = (flag: string) => (raw: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${flag} must be a whole number of at least 0, not "${raw}"`);
  return n;
};

/** The model an event names, when it is about starting a run or a session. */
function modelOf(e: StoredEvent): unknown {
  if (e.type === 'session.started') return e.payload.model;
  if (e.type === 'run.started') return e.payload.settings.model;
  return undefined;
}

/**
 * One line per event: time, type, slot, feature, then the log text or the payload. A row this
 * version cannot read shows as `unknown` with its stored type and why.
 */
export function formatEvent(e: StoredEvent): string {
  const payload = Object.keys(e.payload).length > 0 ? JSON.stringify(e.payload) : '';
  let text =
    e.type === 'session.log'
      ? sessionLogText(e.payload, { arrows: true })
      : e.type === 'unknown'
        ? `${payload}  (unreadable event "${e.storedType}": ${e.problem})`.trim()
        : payload;
  // A run or session on the demo model says so in words: it is a script, not an AI.
  if (modelOf(e) === DEMO_MODEL) text = `${text}  (${DEMO_MODEL_LABEL})`;
  const parts = [
    new Date(e.at).toISOString(),
    e.type.padEnd(16),
    e.slot === null ? 'slot -' : `slot ${e.slot}`,
    e.featureId === null ? '#-' : `#${e.featureId}`,
    text.replace(/\s*\n\s*/g, ' ⏎ '),
  ];
  return parts.join('  ').trimEnd();
}

function matches(e: StoredEvent, opts: LogsOptions): boolean {
  if (opts.slot !== undefined && e.slot !== opts.slot) return false;
  if (opts.session !== undefined && e.sessionId !== opts.session) return false;
  return true;
}

function openStore(ctx: CliContext, nameOrPath: string): ProjectStore {
  const reg = openRegistry(ctx.env);
  try {
    return openProjectStore(resolveProject(reg.registry, nameOrPath, ctx.cwd).paths, { create: false, env: ctx.env });
  } finally {
    reg.close();
  }
}

/** Prints every matching event after `cursor`; returns the new cursor. */
function drain(ctx: CliContext, store: ProjectStore, cursor: number, opts: LogsOptions): number {
  for (;;) {
    const events = store.events.since(cursor, BATCH);
    for (const e of events) {
      if (!matches(e, opts)) continue;
      ctx.stdout(opts.json ? `${JSON.stringify(e)}\n` : `${formatEvent(e)}\n`);
    }
    if (events.length > 0) cursor = events[events.length - 1]!.id;
    if (events.length < BATCH) return cursor;
  }
}

/** Tails the events table until SIGINT/SIGTERM, skipping polls where no other connection committed. */
function follow(ctx: CliContext, store: ProjectStore, start: number, opts: LogsOptions): Promise<void> {
  return new Promise((resolve) => {
    let cursor = start;
    let mark = '';
    const timer = setInterval(() => {
      try {
        const now = store.events.changeMark();
        if (now === mark) return;
        mark = now;
        cursor = drain(ctx, store, cursor, opts);
      } catch (err: unknown) {
        // A busy database: try again on the next tick, and say so.
        mark = '';
        ctx.stderr(`Could not read the events (${err instanceof Error ? err.message : String(err)}); trying again.\n`);
      }
    }, POLL_MS);
    const stop = () => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** logs: a project's event log (sessions, features, runs), optionally followed live. */
export function registerLogsCommand(
  program: Command,
  ctx: CliContext,
  run: (fn: () => void | Promise<void>) => Promise<void>,
): void {
  program
    .command('logs')
    .description(
      "print a project's events (agent text, tool calls and results, feature and run changes), one line each",
    )
    .argument('<project>', 'registered name or path')
    .option('-f, --follow', 'keep printing new events until Ctrl+C')
    .option('--slot <n>', 'only events of this agent slot', wholeNumber('--slot'))
    .option('--session <id>', 'only events of this session')
    .option('--since <id>', 'only events after this event id', wholeNumber('--since'))
    .option(
      '--json',
      'print JSON lines: {"id","at","type","runId","sessionId","featureId","slot","payload"} (an event this version cannot read: "type":"unknown" with "storedType" and "problem")',
    )
    .action((project: string, opts: LogsOptions) =>
      run(async () => {
        const store = openStore(ctx, project);
        try {
          const cursor = drain(ctx, store, opts.since ?? 0, opts);
          if (opts.follow) await follow(ctx, store, cursor, opts);
        } finally {
          store.close();
        }
      }),
    );
}
