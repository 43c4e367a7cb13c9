import { posix } from 'node:path';
import type { CheckpointAgent, FindingSeverity, NewFinding, ToolFact, ToolFactKind } from '../shared/checkpoints.js';

/**
 * What a tool's output means: its status, one-line summary, figures and findings. Each reader takes the exit code and
 * the whole stdout (and, for coverage, the report file) and never throws: output it cannot read says so in the
 * summary. Pure.
 */

export type ParsedFact = Pick<ToolFact, 'status' | 'summary' | 'figures' | 'findings'>;

/** At most this many findings per tool (worst first); the figures still count them all. */
export const MAX_FINDINGS_PER_TOOL = 200;
/** A JS bundle file larger than this is a performance finding. */
export const LARGE_BUNDLE_BYTES = 500_000;

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The parsed JSON, or undefined when `text` is not JSON (the caller reports that). */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
const severityRank: Record<FindingSeverity, number> = { critical: 0, major: 1, minor: 2, info: 3 };

/** A finding within the schema's limits (texts clipped, empty ones replaced). */
export function toolFinding(f: {
  severity: FindingSeverity;
  category: string;
  title: string;
  detail: string;
  file?: string | undefined;
  line?: number | undefined;
  evidence?: string | undefined;
  suggestedFix?: string | undefined;
}): NewFinding {
  const text = (s: string | undefined, max: number) =>
    s === undefined || s.trim() === '' ? undefined : clip(s.trim(), max);
  const out: NewFinding = {
    severity: f.severity,
    category: text(f.category, 80) ?? 'tool',
    title: text(f.title, 200) ?? '(no message)',
    detail: text(f.detail, 4000) ?? text(f.title, 4000) ?? '(no message)',
  };
  const file = text(f.file, 500);
  if (file !== undefined) out.file = file;
  if (f.line !== undefined && Number.isInteger(f.line) && f.line >= 1 && f.line <= 10_000_000) out.line = f.line;
  const evidence = text(f.evidence, 4000);
  if (evidence !== undefined) out.evidence = evidence;
  const fix = text(f.suggestedFix, 4000);
  if (fix !== undefined) out.suggestedFix = fix;
  return out;
}

/** Worst first, then at most `MAX_FINDINGS_PER_TOOL`. */
export function capFindings(findings: readonly NewFinding[]): { kept: NewFinding[]; dropped: number } {
  const sorted = [...findings].sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
  return { kept: sorted.slice(0, MAX_FINDINGS_PER_TOOL), dropped: Math.max(0, sorted.length - MAX_FINDINGS_PER_TOOL) };
}

/** Which reviewer a tool's finding belongs to: the audit's to security, bundle sizes to performance, else code. */
export function agentOfToolFinding(kind: ToolFactKind, finding: Pick<NewFinding, 'category'>): CheckpointAgent {
  if (kind === 'audit') return 'security';
  if (finding.category === 'bundle-size') return 'performance';
  return 'code';
}

// ── tsc ─────────────────────────────────────────────────────────────────────

const TSC_LINE = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;
const TSC_GLOBAL = /^error (TS\d+): (.*)$/;

/** `file(line,col): error TSnnnn: message` lines (and their indented continuation) from tsc or a typecheck script. */
export function parseTscOutput(exitCode: number, stdout: string): ParsedFact {
  const findings: NewFinding[] = [];
  const files = new Set<string>();
  let last: { detail: string[] } | null = null;
  const pending: { f: Parameters<typeof toolFinding>[0]; detail: string[] }[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    const m = TSC_LINE.exec(line);
    const g = m ? null : TSC_GLOBAL.exec(line);
    if (m) {
      const [, file = '', ln = '1', col = '1', code = '', message = ''] = m;
      files.add(file);
      last = { detail: [`${file}:${ln}:${col} ${code}: ${message}`] };
      pending.push({
        f: {
          severity: 'major',
          category: `typescript/${code}`,
          title: `${code}: ${message}`,
          detail: '',
          file,
          line: Number(ln),
        },
        detail: last.detail,
      });
    } else if (g) {
      const [, code = '', message = ''] = g;
      last = { detail: [`${code}: ${message}`] };
      pending.push({
        f: { severity: 'major', category: `typescript/${code}`, title: `${code}: ${message}`, detail: '' },
        detail: last.detail,
      });
    } else if (last !== null && /^\s+\S/.test(line)) {
      last.detail.push(line.trim());
    } else {
      last = null;
    }
  }
  for (const p of pending) findings.push(toolFinding({ ...p.f, detail: p.detail.join('\n') }));
  const errors = findings.length;
  const { kept, dropped } = capFindings(findings);
  if (exitCode === 0 && errors === 0)
    return { status: 'passed', summary: 'no type errors', figures: { errors: 0, files: 0 }, findings: [] };
  const summary =
    errors === 0
      ? `exit code ${exitCode}, no type error lines found in the output`
      : `${plural(errors, 'type error')} in ${plural(files.size, 'file')}${dropped > 0 ? ` (${dropped} not kept as findings)` : ''}`;
  return {
    status: exitCode === 0 ? 'passed' : 'failed',
    summary,
    figures: { errors, files: files.size },
    findings: kept,
  };
}

// ── ESLint ──────────────────────────────────────────────────────────────────

/** The JSON array in the output (npm may print lines before it). */
function jsonArrayIn(stdout: string): unknown {
  const trimmed = stdout.trim();
  const at = trimmed.startsWith('[') ? 0 : trimmed.search(/^\[/m);
  if (at < 0) return undefined;
  try {
    return JSON.parse(trimmed.slice(at));
  } catch {
    return undefined;
  }
}

/** ESLint's `-f json` report: errors are major findings, warnings minor, category `eslint/<rule>`. */
export function parseEslintJson(exitCode: number, stdout: string, root: string): ParsedFact {
  const report = jsonArrayIn(stdout);
  if (!Array.isArray(report))
    return {
      status: exitCode === 0 ? 'passed' : 'error',
      summary: `eslint gave no JSON report (exit code ${exitCode}); see the output`,
      figures: {},
      findings: [],
    };
  const findings: NewFinding[] = [];
  let errors = 0;
  let warnings = 0;
  const files = new Set<string>();
  for (const entry of report) {
    if (!isRecord(entry) || !Array.isArray(entry.messages)) continue;
    const abs = typeof entry.filePath === 'string' ? entry.filePath : '';
    const file = abs === '' ? undefined : posix.isAbsolute(abs) ? posix.relative(root, abs) : abs;
    for (const m of entry.messages) {
      if (!isRecord(m)) continue;
      const isError = m.severity === 2;
      if (isError) errors += 1;
      else warnings += 1;
      if (file !== undefined) files.add(file);
      const rule = typeof m.ruleId === 'string' ? m.ruleId : m.fatal === true ? 'parse-error' : 'unknown';
      const message = typeof m.message === 'string' ? m.message : '(no message)';
      const line = typeof m.line === 'number' ? m.line : undefined;
      findings.push(
        toolFinding({
          severity: isError ? 'major' : 'minor',
          category: `eslint/${rule}`,
          title: message,
          detail: `${file ?? '?'}${line !== undefined ? `:${line}` : ''} ${rule}: ${message}`,
          file,
          line,
        }),
      );
    }
  }
  const { kept, dropped } = capFindings(findings);
  const summary =
    errors + warnings === 0
      ? 'no lint problems'
      : `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files.size, 'file')}${dropped > 0 ? ` (${dropped} not kept as findings)` : ''}`;
  return {
    status: exitCode === 0 ? 'passed' : 'failed',
    summary,
    figures: { errors, warnings, files: files.size },
    findings: kept,
  };
}

/** A tool whose output is not read (a lint script that is not plain eslint): its exit code decides. */
export function parseExitCode(exitCode: number, what: string): ParsedFact {
  return exitCode === 0
    ? { status: 'passed', summary: `${what} passed`, figures: {}, findings: [] }
    : {
        status: 'failed',
        summary: `${what} failed (exit code ${exitCode}); see the output`,
        figures: {},
        findings: [],
      };
}

// ── npm audit ───────────────────────────────────────────────────────────────

const AUDIT_SEVERITY: Record<string, FindingSeverity> = {
  critical: 'critical',
  high: 'major',
  moderate: 'minor',
  low: 'info',
  info: 'info',
};
const AUDIT_LEVELS = ['critical', 'high', 'moderate', 'low', 'info'] as const;

function fixOf(fixAvailable: unknown, name: string): string | undefined {
  if (fixAvailable === true) return 'Run `npm audit fix`.';
  if (isRecord(fixAvailable) && typeof fixAvailable.name === 'string' && typeof fixAvailable.version === 'string') {
    const major = fixAvailable.isSemVerMajor === true ? ' (a semver-major change: check its breaking changes)' : '';
    return `Update ${fixAvailable.name} to ${fixAvailable.version}${major}: \`npm audit fix${major ? ' --force' : ''}\`.`;
  }
  if (fixAvailable === false) return `No fixed version is available: replace or remove ${name}.`;
  return undefined;
}

/** `npm audit --json` (npm 7+: a `vulnerabilities` map): one finding per vulnerable package. */
export function parseNpmAudit(exitCode: number, stdout: string): ParsedFact {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    return {
      status: 'error',
      summary: `npm audit gave no JSON report (exit code ${exitCode}); see the output`,
      figures: {},
      findings: [],
    };
  }
  if (!isRecord(report))
    return { status: 'error', summary: 'npm audit gave an unexpected report', figures: {}, findings: [] };
  if (isRecord(report.error)) {
    const why = typeof report.error.summary === 'string' ? report.error.summary : 'unknown error';
    return {
      status: 'error',
      summary: `npm audit failed: ${clip(why.split('\n')[0] ?? why, 300)}`,
      figures: {},
      findings: [],
    };
  }
  if (!isRecord(report.vulnerabilities))
    return {
      status: 'error',
      summary: 'npm audit report has no `vulnerabilities` (npm 6 format?)',
      figures: {},
      findings: [],
    };
  const figures: Record<string, number> = Object.fromEntries(AUDIT_LEVELS.map((l) => [l, 0]));
  const findings: NewFinding[] = [];
  for (const [name, v] of Object.entries(report.vulnerabilities)) {
    if (!isRecord(v)) continue;
    const level = typeof v.severity === 'string' && v.severity in AUDIT_SEVERITY ? v.severity : 'info';
    figures[level] = (figures[level] ?? 0) + 1;
    const via = Array.isArray(v.via) ? v.via : [];
    const advisories = via.filter(isRecord);
    const through = via.filter((x): x is string => typeof x === 'string');
    const first = advisories[0];
    const title =
      first && typeof first.title === 'string'
        ? `${name}: ${first.title}`
        : `${name} is vulnerable through ${through.join(', ') || 'a dependency'}`;
    const range = typeof v.range === 'string' && v.range !== '' ? v.range : undefined;
    const lines = [
      `${name}${range ? ` ${range}` : ''} (${level}${v.isDirect === true ? ', a direct dependency' : ''})`,
      ...advisories.map(
        (a) =>
          `- ${String(a.title ?? 'advisory')}${typeof a.url === 'string' ? ` ${a.url}` : ''}${typeof a.range === 'string' ? ` (affects ${a.range})` : ''}`,
      ),
      ...(through.length > 0 ? [`via ${through.join(', ')}`] : []),
    ];
    const nodes = Array.isArray(v.nodes) ? v.nodes.filter((n): n is string => typeof n === 'string') : [];
    findings.push(
      toolFinding({
        severity: AUDIT_SEVERITY[level] ?? 'info',
        category: `dependency/${name}`,
        title,
        detail: lines.join('\n'),
        evidence: nodes.length > 0 ? `installed at ${nodes.join(', ')}` : undefined,
        suggestedFix: fixOf(v.fixAvailable, name),
      }),
    );
  }
  const total = findings.length;
  figures.total = total;
  const { kept, dropped } = capFindings(findings);
  const bySeverity = AUDIT_LEVELS.filter((l) => (figures[l] ?? 0) > 0).map((l) => `${figures[l]} ${l}`);
  const summary =
    total === 0
      ? 'no known vulnerabilities'
      : `${plural(total, 'vulnerable package')} (${bySeverity.join(', ')})${dropped > 0 ? `; ${dropped} not kept as findings` : ''}`;
  return { status: total === 0 ? 'passed' : 'failed', summary, figures, findings: kept };
}

/** `pip-audit -f json`: it reports no severity, so every known vulnerability is a major finding. */
export function parsePipAudit(exitCode: number, stdout: string): ParsedFact {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    return {
      status: 'error',
      summary: `pip-audit gave no JSON report (exit code ${exitCode}); see the output`,
      figures: {},
      findings: [],
    };
  }
  const deps =
    isRecord(report) && Array.isArray(report.dependencies)
      ? report.dependencies
      : Array.isArray(report)
        ? report
        : null;
  if (deps === null)
    return { status: 'error', summary: 'pip-audit gave an unexpected report', figures: {}, findings: [] };
  const findings: NewFinding[] = [];
  for (const d of deps) {
    if (!isRecord(d) || !Array.isArray(d.vulns)) continue;
    const name = String(d.name ?? '?');
    for (const vuln of d.vulns) {
      if (!isRecord(vuln)) continue;
      const id = String(vuln.id ?? 'advisory');
      const fixes = Array.isArray(vuln.fix_versions) ? vuln.fix_versions.map(String) : [];
      findings.push(
        toolFinding({
          severity: 'major',
          category: `dependency/${name}`,
          title: `${name} ${String(d.version ?? '')}: ${id}`,
          detail: typeof vuln.description === 'string' ? vuln.description : id,
          file: 'requirements.txt',
          suggestedFix: fixes.length > 0 ? `Update ${name} to ${fixes.join(' or ')}.` : undefined,
        }),
      );
    }
  }
  const { kept } = capFindings(findings);
  return {
    status: findings.length === 0 ? 'passed' : 'failed',
    summary:
      findings.length === 0
        ? 'no known vulnerabilities'
        : `${plural(findings.length, 'vulnerability', 'vulnerabilities')}`,
    figures: { total: findings.length },
    findings: kept,
  };
}

// ── coverage ────────────────────────────────────────────────────────────────

const COVERAGE_METRICS = ['lines', 'statements', 'functions', 'branches'] as const;

/**
 * A test run with coverage: its exit code says whether the tests pass (a failing suite is a major finding), the
 * json-summary report (istanbul's `coverage-summary.json`, written by vitest and jest) gives the percentages.
 */
export function parseCoverage(exitCode: number, summaryJson: string | null, outputEnd: string): ParsedFact {
  const figures: Record<string, number> = {};
  // An unreadable report only loses the percentages; the summary says so below.
  const report = summaryJson === null ? undefined : jsonOrUndefined(summaryJson);
  const total = isRecord(report) && isRecord(report.total) ? report.total : {};
  for (const m of COVERAGE_METRICS) {
    const metric = total[m];
    if (isRecord(metric) && typeof metric.pct === 'number') figures[m] = metric.pct;
  }
  const pct = COVERAGE_METRICS.filter((m) => figures[m] !== undefined).map((m) => `${m} ${figures[m]}%`);
  const coverage = pct.length > 0 ? pct.join(', ') : 'no coverage summary was written';
  if (exitCode === 0) return { status: 'passed', summary: coverage, figures, findings: [] };
  return {
    status: 'failed',
    summary: `the tests fail (exit code ${exitCode}); ${coverage}`,
    figures,
    findings: [
      toolFinding({
        severity: 'major',
        category: 'tests/failing',
        title: 'The test suite fails',
        detail: `The test run with coverage ended with exit code ${exitCode}.`,
        evidence: outputEnd,
      }),
    ],
  };
}

// ── build ───────────────────────────────────────────────────────────────────

export interface BuiltFile {
  /** Relative to the checkout. */
  readonly path: string;
  readonly bytes: number;
}

const formatKb = (bytes: number) => `${Number((bytes / 1_000).toFixed(bytes < 10_000 ? 1 : 0))} kB`;
const isBundle = (p: string) => /\.(m?js|cjs|css)$/i.test(p);
/** How many of the largest JS/CSS files get a figure of their own. */
export const LARGEST_FILES = 10;

/**
 * `npm run build`: a failing build is one major finding; a passing one is measured (the files it left in dist/,
 * build/ or out/): total bytes, the largest JS/CSS files, and a minor performance finding per JS file over 500 kB.
 */
export function parseBuild(
  exitCode: number,
  outputEnd: string,
  built: readonly BuiltFile[],
  dirs: readonly string[],
): ParsedFact {
  if (exitCode !== 0)
    return {
      status: 'failed',
      summary: `the build fails (exit code ${exitCode})`,
      figures: {},
      findings: [
        toolFinding({
          severity: 'major',
          category: 'build/failed',
          title: 'The production build fails',
          detail: `\`npm run build\` ended with exit code ${exitCode}.`,
          evidence: outputEnd,
        }),
      ],
    };
  const totalBytes = built.reduce((sum, f) => sum + f.bytes, 0);
  const figures: Record<string, number> = { totalBytes, files: built.length };
  const bundles = built
    .filter((f) => isBundle(f.path))
    .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
  for (const f of bundles.slice(0, LARGEST_FILES)) figures[`bytes:${f.path}`] = f.bytes;
  const findings = bundles
    .filter((f) => /\.(m?js|cjs)$/i.test(f.path) && f.bytes > LARGE_BUNDLE_BYTES)
    .map((f) =>
      toolFinding({
        severity: 'minor',
        category: 'bundle-size',
        title: `Large JavaScript bundle ${f.path}`,
        detail: `${f.path} is ${formatKb(f.bytes)} after the production build (over ${formatKb(LARGE_BUNDLE_BYTES)}): it slows the first load.`,
        file: f.path,
        suggestedFix: 'Split the bundle (dynamic imports for routes and heavy libraries) and drop unused dependencies.',
      }),
    );
  const where = dirs.length > 0 ? dirs.join(', ') : 'no dist/, build/ or out/ folder';
  const summary =
    built.length === 0
      ? `built; ${where === 'no dist/, build/ or out/ folder' ? where : `${where} empty`}`
      : `${where}: ${formatKb(totalBytes)} (${plural(built.length, 'file')})`;
  return { status: 'passed', summary, figures, findings };
}
