import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Provider } from '../shared/providers.js';
import type { Env } from './env.js';
import { resolveRunSettings, type RunSettings } from './run-settings.js';
import { readStoredSecrets, resolveSecrets, type Secrets } from './secrets.js';
import { registryRunDefaults, type SettingsStore } from './user-settings.js';

/** The provider part of the settings. */
export type ProviderSettings = Pick<
  RunSettings,
  'provider' | 'baseUrl' | 'awsRegion' | 'vertexProject' | 'vertexRegion'
>;

/** Variables that choose a provider; an explicit provider clears the ones of the others. */
const ANTHROPIC_ONLY = ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'] as const;
const COMPATIBLE_ONLY = ['ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN'] as const;
const BEDROCK_ONLY = ['CLAUDE_CODE_USE_BEDROCK'] as const;
const VERTEX_ONLY = ['CLAUDE_CODE_USE_VERTEX'] as const;
const KEEP: Readonly<Record<Provider, readonly string[]>> = {
  anthropic: ANTHROPIC_ONLY,
  compatible: COMPATIBLE_ONLY,
  bedrock: BEDROCK_ONLY,
  vertex: VERTEX_ONLY,
};
const ALL_SELECTORS = [...ANTHROPIC_ONLY, ...COMPATIBLE_ONLY, ...BEDROCK_ONLY, ...VERTEX_ONLY];

const value = (v: string | undefined): string | undefined => (v !== undefined && v.trim() !== '' ? v : undefined);

/**
 * The environment autocoder runs sessions with, given the chosen provider: the provider's
 * variables set from the settings and secrets (they win over the same variables in `env`),
 * the other providers' selectors removed. Without a provider `env` is returned as it is (the
 * environment decides, as Claude Code itself would). agent-env then passes these variables on,
 * and the runner masks every secret among them.
 */
export function providerEnv(env: Env, settings: ProviderSettings, secrets: Secrets): Env {
  const provider = settings.provider;
  if (provider === undefined) {
    const out: Record<string, string | undefined> = { ...env };
    // Secrets from the config still count: a stored API key or compatible token fills the gap.
    if (secrets.apiKey !== undefined && value(out.ANTHROPIC_API_KEY) === undefined)
      out.ANTHROPIC_API_KEY = secrets.apiKey;
    if (settings.baseUrl !== undefined) out.ANTHROPIC_BASE_URL = settings.baseUrl;
    // A stored token only means something with an endpoint to send it to.
    if (
      secrets.authToken !== undefined &&
      value(out.ANTHROPIC_BASE_URL) !== undefined &&
      value(out.ANTHROPIC_AUTH_TOKEN) === undefined
    )
      out.ANTHROPIC_AUTH_TOKEN = secrets.authToken;
    return out;
  }
  const out: Record<string, string | undefined> = { ...env };
  for (const name of ALL_SELECTORS) if (!KEEP[provider].includes(name)) delete out[name];
  switch (provider) {
    case 'anthropic':
      if (secrets.apiKey !== undefined) out.ANTHROPIC_API_KEY = secrets.apiKey;
      break;
    case 'compatible': {
      const baseUrl = settings.baseUrl ?? value(env.ANTHROPIC_BASE_URL);
      const token = secrets.authToken ?? value(env.ANTHROPIC_AUTH_TOKEN);
      if (baseUrl !== undefined) out.ANTHROPIC_BASE_URL = baseUrl;
      if (token !== undefined) out.ANTHROPIC_AUTH_TOKEN = token;
      break;
    }
    case 'bedrock':
      out.CLAUDE_CODE_USE_BEDROCK = '1';
      if (settings.awsRegion !== undefined) out.AWS_REGION = settings.awsRegion;
      break;
    case 'vertex':
      out.CLAUDE_CODE_USE_VERTEX = '1';
      if (settings.vertexProject !== undefined) out.ANTHROPIC_VERTEX_PROJECT_ID = settings.vertexProject;
      if (settings.vertexRegion !== undefined) out.CLOUD_ML_REGION = settings.vertexRegion;
      break;
  }
  return out;
}

/** What a provider still lacks: each item the detail of what is missing and its exact fix. */
export interface ProviderProblem {
  readonly missing: string;
  readonly fix: string;
}

/**
 * What the chosen provider lacks, judged from the environment sessions would get (after
 * providerEnv). `fileExists` lets tests stand in for the AWS and gcloud credential files.
 */
export function providerProblems(
  provider: Provider,
  agentEnv: Env,
  fileExists: (path: string) => boolean,
): ProviderProblem[] {
  const has = (k: string) => value(agentEnv[k]) !== undefined;
  const home = agentEnv.HOME ?? homedir();
  const problems: ProviderProblem[] = [];
  switch (provider) {
    case 'anthropic':
      // Checked by the caller together with the Claude login.
      break;
    case 'compatible':
      if (!has('ANTHROPIC_BASE_URL'))
        problems.push({
          missing: 'a base URL',
          fix: 'autocoder config set baseUrl https://your-endpoint.example (or AUTOCODER_BASE_URL)',
        });
      if (!has('ANTHROPIC_AUTH_TOKEN'))
        problems.push({ missing: 'a token', fix: 'autocoder config set authToken <token> (or AUTOCODER_AUTH_TOKEN)' });
      break;
    case 'bedrock': {
      if (!has('AWS_REGION'))
        problems.push({ missing: 'an AWS region', fix: 'autocoder config set awsRegion us-east-1 (or AWS_REGION)' });
      const creds =
        has('AWS_ACCESS_KEY_ID') ||
        has('AWS_PROFILE') ||
        has('AWS_BEARER_TOKEN_BEDROCK') ||
        has('CLAUDE_CODE_SKIP_BEDROCK_AUTH') ||
        fileExists(join(home, '.aws', 'credentials')) ||
        fileExists(join(home, '.aws', 'config'));
      if (!creds)
        problems.push({
          missing: 'AWS credentials',
          fix: 'run `aws configure` (or `aws sso login`), or set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_BEARER_TOKEN_BEDROCK',
        });
      break;
    }
    case 'vertex': {
      if (!has('ANTHROPIC_VERTEX_PROJECT_ID'))
        problems.push({
          missing: 'a GCP project',
          fix: 'autocoder config set vertexProject <project-id> (or ANTHROPIC_VERTEX_PROJECT_ID)',
        });
      if (!has('CLOUD_ML_REGION'))
        problems.push({ missing: 'a region', fix: 'autocoder config set vertexRegion us-east5 (or CLOUD_ML_REGION)' });
      const creds =
        has('GOOGLE_APPLICATION_CREDENTIALS') ||
        has('CLAUDE_CODE_SKIP_VERTEX_AUTH') ||
        fileExists(join(home, '.config', 'gcloud', 'application_default_credentials.json'));
      if (!creds)
        problems.push({
          missing: 'Google credentials',
          fix: 'run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS',
        });
      break;
    }
  }
  return problems;
}

/** The settings and secrets that decide the provider outside any one project (doctor, the server's setup status). */
export function globalProviderContext(
  env: Env,
  registry: SettingsStore,
): { settings: ProviderSettings; secrets: Secrets } {
  const settings = resolveRunSettings({ registry: registryRunDefaults(registry), env });
  return { settings, secrets: resolveSecrets({ stored: readStoredSecrets(env), env }) };
}
