import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from './env.js';
import { onPath, sandboxSupport } from './sandbox-support.js';
import type { Provider } from '../shared/providers.js';
import { globalProviderContext, providerEnv, providerProblems } from './provider.js';
import {
  projectRunDefaults,
  registryRunDefaults,
  type ProjectSettingsStore,
  type SettingsStore,
} from './user-settings.js';
import { resolveRunSettings } from './run-settings.js';
import { runEnvWithProvider } from './run-provider.js';

/** One prerequisite: whether it is met, what was found, and how to fix it when it is not. */
export interface SetupCheck {
  readonly id: 'claude_code' | 'credentials' | 'git' | 'chromium' | 'sandbox';
  readonly ok: boolean;
  readonly detail: string;
  readonly fix: string | null;
}

/** What the checks may touch, so tests (and `doctor`) can substitute each piece. */
export interface SetupProbe {
  readonly env: Env;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** Resolves a package file the way Node would, or returns null. */
  resolvePackageFile(specifier: string): string | null;
  /** Runs `file --version`; null when it cannot be run. */
  version(file: string): string | null;
  fileExists(path: string): boolean;
  /**
   * The provider chosen in the settings (`autocoder config set provider …`); `env` is then the
   * environment sessions would get (see providerEnv). Unset: whatever `env` offers counts.
   */
  readonly provider?: Provider;
}

const requireHere = createRequire(import.meta.url);

export function systemProbe(env: Env): SetupProbe {
  return {
    env,
    platform: process.platform,
    arch: process.arch,
    resolvePackageFile: (specifier) => {
      try {
        return requireHere.resolve(specifier);
      } catch {
        return null;
      }
    },
    version: (file) => {
      const res = spawnSync(file, ['--version'], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: env.PATH ?? '' },
      });
      if (res.error || res.status !== 0) return null;
      return (res.stdout.trim().split('\n')[0] ?? '').slice(0, 200) || null;
    },
    fileExists: (path) => existsSync(path),
  };
}

/** The Claude Code binary bundled with the Agent SDK (a per-platform optional package). */
export function checkClaudeCode(p: SetupProbe): SetupCheck {
  const candidates = p.platform === 'linux' ? [`linux-${p.arch}`, `linux-${p.arch}-musl`] : [`${p.platform}-${p.arch}`];
  const binary = p.platform === 'win32' ? 'claude.exe' : 'claude';
  for (const suffix of candidates) {
    const file = p.resolvePackageFile(`@anthropic-ai/claude-agent-sdk-${suffix}/${binary}`);
    if (file === null) continue;
    const version = p.version(file);
    return version === null
      ? {
          id: 'claude_code',
          ok: false,
          detail: `found ${file}, but \`${binary} --version\` failed`,
          fix: "reinstall autocoder's dependencies (npm ci) so the bundled Claude Code binary is intact",
        }
      : { id: 'claude_code', ok: true, detail: `Claude Code ${version}`, fix: null };
  }
  return {
    id: 'claude_code',
    ok: false,
    detail: `no bundled Claude Code binary for ${p.platform}-${p.arch}`,
    fix: "reinstall autocoder's dependencies (npm ci) on this platform; the Agent SDK ships the binary as an optional per-platform package",
  };
}

const set = (env: Env, key: string) => (env[key] ?? '').trim() !== '';

/** Some way to reach a model: an API key, a compatible endpoint, Bedrock/Vertex, or a Claude login. */
export function checkCredentials(p: SetupProbe): SetupCheck {
  const { env } = p;
  const ok = (detail: string): SetupCheck => ({ id: 'credentials', ok: true, detail, fix: null });
  if (p.provider !== undefined && p.provider !== 'anthropic') {
    const problems = providerProblems(p.provider, env, (f) => p.fileExists(f));
    if (problems.length === 0) {
      const where =
        p.provider === 'compatible'
          ? ` at ${env.ANTHROPIC_BASE_URL ?? ''}`
          : p.provider === 'bedrock'
            ? ` in ${env.AWS_REGION ?? ''}`
            : ` (${env.ANTHROPIC_VERTEX_PROJECT_ID ?? ''}, ${env.CLOUD_ML_REGION ?? ''})`;
      return ok(`provider ${p.provider}${where}`);
    }
    return {
      id: 'credentials',
      ok: false,
      detail: `provider ${p.provider} needs ${problems.map((x) => x.missing).join(' and ')}`,
      fix: problems.map((x) => x.fix).join('; '),
    };
  }
  if (set(env, 'ANTHROPIC_API_KEY')) return ok('ANTHROPIC_API_KEY is set');
  if (set(env, 'ANTHROPIC_AUTH_TOKEN') && set(env, 'ANTHROPIC_BASE_URL'))
    return ok('ANTHROPIC_AUTH_TOKEN with ANTHROPIC_BASE_URL is set');
  if (set(env, 'CLAUDE_CODE_USE_BEDROCK')) return ok('Amazon Bedrock (CLAUDE_CODE_USE_BEDROCK)');
  if (set(env, 'CLAUDE_CODE_USE_VERTEX')) return ok('Google Vertex AI (CLAUDE_CODE_USE_VERTEX)');
  if (set(env, 'CLAUDE_CODE_OAUTH_TOKEN')) return ok('CLAUDE_CODE_OAUTH_TOKEN is set');
  const configDir = set(env, 'CLAUDE_CONFIG_DIR')
    ? (env.CLAUDE_CONFIG_DIR as string)
    : join(env.HOME ?? homedir(), '.claude');
  const file = join(configDir, '.credentials.json');
  if (p.fileExists(file)) return ok(`Claude login found (${file})`);
  if (p.platform === 'darwin' && p.fileExists(join(env.HOME ?? homedir(), '.claude.json'))) {
    // On macOS `claude login` keeps the token in the Keychain, which cannot be read from here.
    return ok(
      'Claude Code has been set up; on macOS its login lives in the Keychain (run `claude` once to confirm it is valid)',
    );
  }
  return {
    id: 'credentials',
    ok: false,
    detail:
      p.provider === 'anthropic'
        ? 'provider anthropic needs an API key or a Claude login'
        : 'no model credentials found',
    fix: 'autocoder config set apiKey <key> (or set ANTHROPIC_API_KEY), or run `claude login` (or `claude setup-token` and set CLAUDE_CODE_OAUTH_TOKEN)',
  };
}

export function checkGit(p: SetupProbe): SetupCheck {
  const version = onPath('git', p.env.PATH) ? p.version('git') : null;
  return version === null
    ? { id: 'git', ok: false, detail: 'git is not on PATH', fix: 'install git (Debian/Ubuntu: apt-get install git)' }
    : { id: 'git', ok: true, detail: version, fix: null };
}

export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'] as const;

/** A browser for playwright-cli, which agents use to verify features. */
export function checkChromium(p: SetupProbe): SetupCheck {
  const configured = p.env.AUTOCODER_CHROMIUM?.trim();
  if (configured) {
    return p.fileExists(configured)
      ? { id: 'chromium', ok: true, detail: `AUTOCODER_CHROMIUM=${configured}`, fix: null }
      : {
          id: 'chromium',
          ok: false,
          detail: `AUTOCODER_CHROMIUM names ${configured}, which does not exist`,
          fix: 'point AUTOCODER_CHROMIUM at a Chromium or Chrome executable',
        };
  }
  const found = CHROMIUM_NAMES.find((name) => onPath(name, p.env.PATH));
  return found
    ? { id: 'chromium', ok: true, detail: `${found} is on PATH`, fix: null }
    : {
        id: 'chromium',
        ok: false,
        detail: `none of ${CHROMIUM_NAMES.join(', ')} is on PATH`,
        fix: 'install Chromium (Debian/Ubuntu: apt-get install chromium), or run with --yolo to skip browser verification',
      };
}

export function checkSandbox(p: SetupProbe): SetupCheck {
  const support = sandboxSupport(p.platform, p.env.PATH);
  return support.available
    ? { id: 'sandbox', ok: true, detail: `Claude Code's OS sandbox is available on ${p.platform}`, fix: null }
    : { id: 'sandbox', ok: false, detail: 'the OS sandbox is not available', fix: support.fix };
}

/** Every check, in the order a person should fix them. */
export function runSetupChecks(p: SetupProbe): SetupCheck[] {
  return [checkClaudeCode(p), checkCredentials(p), checkGit(p), checkChromium(p), checkSandbox(p)];
}

/**
 * `probe` as sessions would see it: the provider, base URL, region and secrets saved with
 * `autocoder config` (and the AUTOCODER_* environment) applied, so the credential check judges
 * the chosen provider.
 */
export function withConfiguredProvider(probe: SetupProbe, registry: SettingsStore): SetupProbe {
  const { settings, secrets } = globalProviderContext(probe.env, registry);
  return {
    ...probe,
    env: providerEnv(probe.env, settings, secrets),
    ...(settings.provider ? { provider: settings.provider } : {}),
  };
}

/**
 * `probe` as a run of `project` would see it: the project's settings over the global ones and the environment (the
 * provider and the model a Start without a model would use), so the credential check judges that run's provider.
 */
export function withProjectProvider(
  probe: SetupProbe,
  registry: SettingsStore & ProjectSettingsStore,
  project: string,
): { probe: SetupProbe; model: string | null } {
  const settings = resolveRunSettings({
    registry: registryRunDefaults(registry),
    project: projectRunDefaults(registry, project),
    env: probe.env,
  });
  return {
    probe: {
      ...probe,
      env: runEnvWithProvider(probe.env, settings),
      ...(settings.provider ? { provider: settings.provider } : {}),
    },
    model: settings.model ?? null,
  };
}
