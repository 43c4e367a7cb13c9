/**
 * `npm run bench -- <name>`: runs one benchmark. Benchmarks print figures and never assert.
 * To add one, write bench/<name>.ts exporting `run(): Promise<void>` and list it below.
 */
interface Bench {
  run(): Promise<void>;
}

const BENCHES: Record<string, { readonly about: string; readonly load: () => Promise<Bench> }> = {
  claims: {
    about:
      '5 processes claiming features from one project store: claims/s and double claims (SQLite; with --database postgres://… also PostgreSQL)',
    load: () => import('./claims.js'),
  },
  session: {
    about:
      'harness overhead per coding session against a bare Agent SDK session doing the same scripted work (real Claude Code binary, scripted model), per-phase breakdown; prompt sizes per role',
    load: () => import('./session.js'),
  },
  events: {
    about: 'event-to-WebSocket latency with 1 and 50 clients; GET features latency with 2,000 features',
    load: () => import('./events.js'),
  },
  ui: {
    about:
      'time until the board with 2,000 features and the graph with 500 nodes are interactive in headless Chromium; JS heap',
    load: () => import('./ui.js'),
  },
  graph: {
    about: 'dependency-graph functions and FeatureRepo.ready()/ClaimRepo.claimNext() on 10,000 features / 30,000 edges',
    load: () => import('./graph.js'),
  },
  schedule: {
    about:
      'makespan / lower bound of the real claim order (claimNext) in a k-slot virtual-time simulation: wide, deep and random DAGs, k = 1..5',
    load: () => import('./schedule.js'),
  },
  redact: {
    about:
      'secret redaction: lines/s for a realistic tool-result line holding 5 secrets (raw, base64, URL-encoded, hex, JSON), one without, a 3,000-character output; the stream',
    load: () => import('./redact.js'),
  },
  verify: {
    about:
      'verification overhead per feature on the fixture app: command checks, command + http (app start), + a browser check; sandbox on and off',
    load: () => import('./verify.js'),
  },
  design: {
    about:
      'design capture per page and viewport on the fixture app (fresh load, settle, full-page screenshot, axe-core; dark where supported)',
    load: () => import('./design.js'),
  },
  pg: {
    about:
      'the synchronous PostgreSQL client against SQLite: median of one small query and of a 3-statement transaction; server start, client open',
    load: () => import('./pg.js'),
  },
  parallel: {
    about:
      'real-binary wall time of autocoder run on a 15-feature DAG at k = 1 and k = 3 (scripted model with seeded work delays): ratio vs the ideal',
    load: () => import('./parallel.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(BENCHES).map((n) => n.length));
  const lines = Object.entries(BENCHES).map(([name, b]) => `  ${name.padEnd(width)}  ${b.about}`);
  return `usage: npm run bench -- <name>\n\navailable benchmarks:\n${lines.join('\n')}\n`;
}

const name = process.argv[2];
const bench = name === undefined ? undefined : BENCHES[name];
if (bench === undefined) {
  if (name !== undefined && name !== '--help' && name !== '-h') process.stderr.write(`unknown benchmark "${name}"\n\n`);
  process.stderr.write(usage());
  process.exitCode = name === '--help' || name === '-h' ? 0 : 2;
} else {
  await (await bench.load()).run();
}
