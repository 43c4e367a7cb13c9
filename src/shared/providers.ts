/**
 * How sessions reach a model, and which model each role uses. Shared by the CLI, the API and
 * the web UI (no node imports).
 */

/**
 * `anthropic`: a Claude login or ANTHROPIC_API_KEY. `compatible`: any Anthropic-compatible
 * endpoint (GLM, Kimi, Ollama, LiteLLM…) given a base URL and a token. `bedrock`: Amazon
 * Bedrock (AWS credentials and a region). `vertex`: Google Vertex AI (a GCP project and region).
 * Unset: whatever the environment's ANTHROPIC_* / CLAUDE_CODE_USE_* variables say.
 */
export const PROVIDERS = ['anthropic', 'compatible', 'bedrock', 'vertex'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Roles that may have their own model; a role without one uses the general model. */
export const MODEL_ROLES = [
  'initializer',
  'coding',
  'testing',
  'supervisor',
  'reviewer',
  'verifier',
  'designer',
] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/** The settings key of a role's model: `model.coding`. */
export type RoleModelKey = `model.${ModelRole}`;
export const roleModelKey = (role: ModelRole): RoleModelKey => `model.${role}`;
export const ROLE_MODEL_KEYS: readonly RoleModelKey[] = MODEL_ROLES.map(roleModelKey);

/**
 * Settings that are secrets: kept in `$AUTOCODER_HOME/secrets.env` (mode 0600), never in the
 * settings table, never printed or returned by the API (only whether each is set).
 */
export const SECRET_SETTING_KEYS = ['authToken', 'apiKey'] as const;
export type SecretSettingKey = (typeof SECRET_SETTING_KEYS)[number];
