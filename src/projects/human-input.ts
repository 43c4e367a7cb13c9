import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import type { Feature, HumanInputPort, HumanInputRequest } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import { addLocalExcludes, git } from '../git/git.js';
import { envKeyOf, validateHumanInput, type HumanInputField, type HumanInputValue } from '../shared/human-input.js';
import { createRedactor, NO_SECRETS, type Redactor } from '../security/redactor.js';
import { readEnvFile, writeEnvValues } from '../config/env-file.js';

/** What answering needs: the project's folder and its human-input requests. */
export interface HumanInputStore {
  readonly paths: ProjectPaths;
  readonly humanInput: HumanInputPort;
}

export const ENV_FILE = '.env';

/** The project's `.env` (where answered secrets go). */
export const envFilePath = (paths: ProjectPaths): string => join(paths.root, ENV_FILE);

/**
 * Answers an open request (the API and the CLI both come here). Validates every value against
 * the request's fields first — an unknown request, a closed one, an unknown field, a missing
 * required value or a wrong type is an error and nothing changes. Then secret values are written
 * to the project's `.env` (0600, excluded from git) and only their key names, with the
 * non-secret values, are recorded; the feature returns to pending, first in line.
 */
export function answerHumanInput(
  store: HumanInputStore,
  requestId: string,
  answers: Readonly<Record<string, unknown>>,
  options: { by?: 'human' | 'supervisor'; featureId?: number } = {},
): { request: HumanInputRequest; feature: Feature } {
  const request = openRequest(store, requestId, options.featureId);
  return recordAnswers(store, request, answers, ({ values, secretKeys }) =>
    store.humanInput.answer(request.id, { values, secretKeys, by: options.by ?? 'human' }),
  );
}

/**
 * Validates `answers` against the request's fields (nothing changes on a problem), writes the
 * secrets to `.env`, then records the rest with `record`; if recording fails (someone else
 * answered or cancelled meanwhile), `.env` is put back as it was.
 */
function recordAnswers<T>(
  store: HumanInputStore,
  request: HumanInputRequest,
  answers: Readonly<Record<string, unknown>>,
  record: (split: { values: Record<string, HumanInputValue>; secretKeys: Record<string, string> }) => T,
  placeholders: Readonly<Record<string, string>> = {},
): T {
  const checked = validateHumanInput(request.fields, answers);
  if (!checked.ok) {
    throw new AppError(
      'INVALID_INPUT',
      `the answers do not fit request ${request.id}: ${checked.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}. Nothing was changed.`,
      {
        details: { field: checked.problems[0]?.field ?? 'answers', problems: checked.problems },
      },
    );
  }
  const { values, secrets, secretKeys } = splitSecrets(request.fields, checked.values);
  const restore = Object.keys(secrets).length > 0 ? saveSecrets(store.paths, secrets, placeholders) : () => undefined;
  try {
    return record({ values, secretKeys });
  } catch (err: unknown) {
    restore();
    throw err;
  }
}

/** Longest reason the supervisor may give for one answer. */
export const MAX_SUPERVISOR_REASON = 1_000;

/**
 * The supervisor answers an open request: its values for the non-secret fields (validated like a
 * human's) with a reason for each, and for every secret field a development placeholder the
 * runner makes up — never a value the model chose — marked as such in `.env` and in the
 * feature's notes, so the build can go on and a human can put the real credential in later
 * (override). Values the supervisor gave for secret fields are ignored.
 */
export function answerAsSupervisor(
  store: HumanInputStore,
  requestId: string,
  answers: Readonly<Record<string, unknown>>,
  reasons: Readonly<Record<string, string>>,
): { request: HumanInputRequest; feature: Feature } {
  const request = openRequest(store, requestId, undefined);
  const secretFields = request.fields.filter((f) => f.type === 'secret');
  const withPlaceholders: Record<string, unknown> = { ...answers };
  const placeholders: Record<string, string> = {};
  for (const field of secretFields) {
    const key = envKeyOf(field);
    withPlaceholders[field.id] =
      `dev-placeholder-${key.toLowerCase().replace(/_/g, '-')}-${randomBytes(4).toString('hex')}`;
    placeholders[key] =
      `written by the supervisor for ${request.id} (feature #${request.featureId}); replace it with the real value (autocoder answer --override)`;
  }
  const known = new Set(request.fields.map((f) => f.id));
  const why: Record<string, string> = {};
  for (const [field, text] of Object.entries(reasons)) {
    if (known.has(field) && typeof text === 'string' && text.trim() !== '')
      why[field] = text.trim().slice(0, MAX_SUPERVISOR_REASON);
  }
  return recordAnswers(
    store,
    request,
    withPlaceholders,
    ({ values, secretKeys }) =>
      store.humanInput.answer(request.id, {
        values,
        secretKeys,
        by: 'supervisor',
        reasons: why,
        placeholderKeys: Object.keys(placeholders),
      }),
    placeholders,
  );
}

/**
 * A human overrides a supervisor's answer (the API, the CLI and the UI come here): the values
 * are validated against the request's fields like any answer, secrets replace the placeholders
 * in `.env`, and the feature re-opens with the new answer. Nothing changes on any error.
 */
export function overrideSupervisorAnswer(
  store: HumanInputStore,
  requestId: string,
  answers: Readonly<Record<string, unknown>>,
): { request: HumanInputRequest; feature: Feature } {
  // Refused before .env is touched; the override checks again in its transaction.
  const request = store.humanInput.overridable(requestId);
  return recordAnswers(store, request, answers, (split) => store.humanInput.override(request.id, split));
}

/** Non-secret values (recorded), secret values by `.env` key (written there only), and field id → key. */
function splitSecrets(
  fields: readonly HumanInputField[],
  checked: Readonly<Record<string, HumanInputValue>>,
): { values: Record<string, HumanInputValue>; secrets: Record<string, string>; secretKeys: Record<string, string> } {
  const values: Record<string, HumanInputValue> = {};
  const secrets: Record<string, string> = {};
  const secretKeys: Record<string, string> = {};
  for (const field of fields) {
    const value = checked[field.id];
    if (value === undefined) continue;
    if (field.type === 'secret') {
      secrets[envKeyOf(field)] = String(value);
      secretKeys[field.id] = envKeyOf(field);
    } else {
      values[field.id] = value;
    }
  }
  return { values, secrets, secretKeys };
}

/** Cancels an open request: the feature goes back to pending with the reason as a note. */
export function cancelHumanInput(
  store: HumanInputStore,
  requestId: string,
  reason: string | null,
  options: { featureId?: number } = {},
): { request: HumanInputRequest; feature: Feature } {
  const request = openRequest(store, requestId, options.featureId);
  return store.humanInput.cancel(request.id, reason);
}

function openRequest(store: HumanInputStore, requestId: string, featureId: number | undefined): HumanInputRequest {
  const request = store.humanInput.get(requestId);
  if (featureId !== undefined && request.featureId !== featureId) {
    throw new AppError(
      'NOT_FOUND',
      `request ${request.id} belongs to feature ${request.featureId}, not feature ${featureId}`,
      { details: { requestId: request.id } },
    );
  }
  if (request.status !== 'open') {
    const hint =
      request.answeredBy === 'supervisor' && request.overriddenBy === null
        ? ' by the supervisor (to replace its answer, override it: autocoder answer --override, or POST …/human-input/{id}/override)'
        : '';
    throw new AppError('CONFLICT', `request ${request.id} is already ${request.status}${hint}; nothing was changed`, {
      details: { status: request.status },
    });
  }
  return request;
}

/**
 * Writes secrets to `.env`, refusing a `.env` git tracks (it would be committed), and keeps it
 * out of git. Returns how to undo the write.
 */
function saveSecrets(
  paths: ProjectPaths,
  secrets: Readonly<Record<string, string>>,
  placeholders: Readonly<Record<string, string>> = {},
): () => void {
  const tracked = git(paths.root, ['ls-files', '--error-unmatch', '--', ENV_FILE]).status === 0;
  if (tracked) {
    throw new AppError(
      'CONFLICT',
      `${envFilePath(paths)} is tracked by git, so a secret written there would be committed; untrack it (git rm --cached .env) and answer again. Nothing was changed.`,
    );
  }
  addLocalExcludes(paths.root, [ENV_FILE]);
  const file = envFilePath(paths);
  const before = existsSync(file) ? readFileSync(file) : null;
  writeEnvValues(file, secrets, { placeholders });
  return () => {
    if (before === null) rmSync(file, { force: true });
    else writeFileSync(file, before, { mode: 0o600 });
  };
}

/** Answered secrets at least this long are masked in everything autocoder writes. */
export const HUMAN_SECRET_MIN_LENGTH = 4;

/**
 * Masks the current values (read from the project's `.env` now) of every key answered
 * requests saved a secret under. Values shorter than HUMAN_SECRET_MIN_LENGTH are not masked.
 */
export function answeredSecretsRedactor(humanInput: HumanInputPort, paths: ProjectPaths): Redactor {
  const keys = humanInput.secretKeys();
  if (keys.length === 0) return NO_SECRETS;
  const env = readEnvFile(envFilePath(paths));
  return createRedactor(
    keys.map((k) => env.get(k) ?? '').filter((v) => v.length > 0),
    { minLength: HUMAN_SECRET_MIN_LENGTH },
  );
}
