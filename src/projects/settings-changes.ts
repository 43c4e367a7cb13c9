import { readUserSettings } from '../config/user-settings.js';
import type { EventPort, RegistryPort } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import {
  describeChange,
  type ChangeOrigin,
  type WideningChange,
  type WideningState,
} from '../shared/settings-widening.js';
import { extraCommands } from './policy-extensions.js';

/**
 * Changes that widen what agents may do, at the edges that make them (`autocoder config set`,
 * `autocoder policy allow`, PUT /api/settings and /api/projects/{name}/settings): read what is
 * stored, refuse an unconfirmed widening (HTTP), record each applied one with its origin in the
 * registry and, for a project, in its event log where the live UI sees it.
 */

/** The stored values the widening rules compare against: the global settings (`project` null) or one project's. */
export function wideningState(registry: RegistryPort, project: string | null): WideningState {
  const s = readUserSettings((k) =>
    project === null ? registry.getSetting(k) : registry.getProjectSetting(project, k),
  );
  return {
    defaultSandbox: s.defaultSandbox,
    baseUrl: s.baseUrl,
    yolo: s.yolo,
    extraCommands: extraCommands(registry, project),
  };
}

/** Refuses widening changes sent without `confirm`, naming each and what it lets agents do. Nothing is changed. */
export function requireConfirmation(changes: readonly WideningChange[], confirmed: boolean): void {
  if (changes.length === 0 || confirmed) return;
  const list = changes.map((c) => `${describeChange(c)} (${c.why})`).join('; ');
  throw new AppError(
    'CONFIRMATION_REQUIRED',
    `this widens what agents may do: ${list}. Send it again with "confirm": true to apply it`,
    { details: { widening: changes } },
  );
}

/** Records applied widening changes in the registry; call it in the transaction that made them. */
export function recordWidening(
  registry: RegistryPort,
  project: string | null,
  changes: readonly WideningChange[],
  origin: ChangeOrigin,
): void {
  for (const c of changes) registry.recordSettingsChange({ project, key: c.key, old: c.old, new: c.new, origin });
}

/**
 * Appends one `settings.widened` event per change to the project's event log (payload: key,
 * old, new, origin) in one transaction, after the registry committed. A project whose database
 * does not exist yet (`events` null) has no log to write to; the registry record stands alone then.
 */
export function announceWidening(
  events: EventPort | null,
  changes: readonly WideningChange[],
  origin: ChangeOrigin,
  at: number,
): void {
  if (changes.length === 0 || events === null) return;
  events.appendAll(
    changes.map((c) => ({ type: 'settings.widened', at, payload: { key: c.key, old: c.old, new: c.new, origin } })),
  );
}
