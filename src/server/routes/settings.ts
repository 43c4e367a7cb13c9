import type { Hono } from 'hono';
import type { RegistryPort } from '../../db/ports.js';
import { AppError } from '../../domain/errors.js';
import { allowCommands, disallowCommand, extraCommands } from '../../projects/policy-extensions.js';
import { validateExtraCommands } from '../../security/bash-policy.js';
import {
  readUserSettings,
  settingStorageKey,
  USER_SETTING_KEYS,
  type UserSettingKey,
} from '../../config/user-settings.js';
import { readStoredSecrets, secretsStatus, writeStoredSecret } from '../../config/secrets.js';
import { SECRET_SETTING_KEYS } from '../../shared/providers.js';
import {
  PutGlobalSettingsRequestSchema,
  PutProjectSettingsRequestSchema,
  SettingsChangesQuerySchema,
  type GlobalSettingsResponse,
  type ProjectSettings,
  SettingsChangeSchema,
  type SettingsChange,
} from '../../shared/api.js';
import { wideningChanges } from '../../shared/settings-widening.js';
import {
  announceWidening,
  recordWidening,
  requireConfirmation,
  wideningState,
} from '../../projects/settings-changes.js';
import type { RouteModule, ServerDeps } from '../app.js';
import { requestOrigin } from '../guards.js';
import { body, query } from './input.js';
import { inRegistryTransaction, registeredProject, withRegistry } from '../project-access.js';
import { existingStore } from './projects.js';

export const SETTING_KEYS = USER_SETTING_KEYS;
type SettingKey = UserSettingKey;

/** Reads the known keys (the same parsing `autocoder config` uses). */
const readSettings = readUserSettings;

function writeSettings(req: Partial<Record<SettingKey, unknown>>, set: (key: string, value: string) => void): void {
  for (const key of SETTING_KEYS) {
    if (req[key] !== undefined) set(settingStorageKey(key), JSON.stringify(req[key]));
  }
}

/**
 * Refuses shells, interpreters and privilege tools before anything else (a 400 beats asking to confirm a list that
 * cannot be saved).
 */
function assertAllowable(names: readonly string[]): void {
  const { rejected } = validateExtraCommands(names);
  if (rejected.length > 0) {
    throw new AppError(
      'INVALID_INPUT',
      `extraCommands: ${rejected.map((r) => `cannot allow "${r.name}": ${r.reason}`).join('; ')}`,
      {
        details: { field: 'extraCommands', rejected },
      },
    );
  }
}

/** Replaces a project's Bash allowlist extensions (the names are checked already). */
function replaceExtraCommands(registry: RegistryPort, project: string, names: readonly string[]): void {
  const wanted = new Set(names);
  for (const current of extraCommands(registry, project))
    if (!wanted.has(current)) disallowCommand(registry, project, current);
  allowCommands(registry, project, [...wanted]);
}

/**
 * Global and per-project settings, kept in the registry (out of any agent's reach). A change
 * that widens what agents may do needs `"confirm": true` and is recorded with its origin.
 */
export const settingsRoutes: RouteModule = (app: Hono, deps: ServerDeps) => {
  // Secrets (authToken, apiKey) are write-only: responses say whether each is set, never what it is.
  const globalSettings = (r: RegistryPort): GlobalSettingsResponse => ({
    ...readSettings((k) => r.getSetting(k)),
    secrets: secretsStatus(readStoredSecrets(deps.env)),
  });

  app.get('/api/settings', (c) => c.json(withRegistry(deps, globalSettings)));

  app.put('/api/settings', async (c) => {
    const req = await body(c, PutGlobalSettingsRequestSchema);
    const origin = requestOrigin(c.req.header('origin'), deps.guard);
    return c.json(
      inRegistryTransaction(deps, (r) => {
        const widening = wideningChanges(wideningState(r, null), req);
        requireConfirmation(widening, req.confirm === true);
        writeSettings(req, (k, v) => r.setSetting(k, v));
        recordWidening(r, null, widening, origin);
        for (const key of SECRET_SETTING_KEYS) if (req[key] !== undefined) writeStoredSecret(deps.env, key, req[key]);
        return globalSettings(r);
      }),
    );
  });

  app.get('/api/settings/changes', (c) => {
    const q = query(c, SettingsChangesQuerySchema);
    const changes = withRegistry(deps, (r) => r.settingsChanges({ project: q.project, limit: q.limit }));
    // Rows were written through the shared key and origin enums; parse anyway rather than cast.
    return c.json({ changes: changes.map((ch): SettingsChange => SettingsChangeSchema.parse(ch)) });
  });

  const projectSettings = (r: RegistryPort, name: string): ProjectSettings => ({
    ...readSettings((k) => r.getProjectSetting(name, k)),
    extraCommands: extraCommands(r, name),
  });

  app.get('/api/projects/:name/settings', (c) =>
    c.json(withRegistry(deps, (r) => projectSettings(r, registeredProject(c, r).name))),
  );

  app.put('/api/projects/:name/settings', async (c) => {
    const project = withRegistry(deps, (r) => registeredProject(c, r));
    const name = project.name;
    const req = await body(c, PutProjectSettingsRequestSchema);
    const origin = requestOrigin(c.req.header('origin'), deps.guard);
    const { settings, widening } = inRegistryTransaction(deps, (r) => {
      if (req.extraCommands !== undefined) assertAllowable(req.extraCommands);
      const changes = wideningChanges(wideningState(r, name), req);
      requireConfirmation(changes, req.confirm === true);
      if (req.extraCommands !== undefined) replaceExtraCommands(r, name, req.extraCommands);
      writeSettings(req, (k, v) => r.setProjectSetting(name, k, v));
      recordWidening(r, name, changes, origin);
      return { settings: projectSettings(r, name), widening: changes };
    });
    // Live clients of the project hear about it (a project without a database yet has none).
    const store = existingStore(deps, project.path);
    store?.events.append({
      type: 'settings.updated',
      at: deps.now(),
      payload: { keys: Object.keys(req).filter((k) => k !== 'confirm' && req[k as keyof typeof req] !== undefined) },
    });
    announceWidening(store?.events ?? null, widening, origin, deps.now());
    return c.json(settings);
  });
};
