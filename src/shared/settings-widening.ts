import { z } from 'zod';

/**
 * Settings changes that widen what agents may do: a program added to a project's Bash
 * allowlist, the OS sandbox turned off, a model base URL set or changed (sessions send the
 * provider credentials, prompts and code there), YOLO turned on. The server refuses them
 * without an explicit `confirm`, the web UI asks before sending one, and each one applied is
 * recorded with where it came from (CLI, API or UI). Pure and browser-safe: the UI's dialog and
 * the server's refusal name the same changes with the same words.
 */

export const WIDENING_KEYS = ['extraCommands', 'defaultSandbox', 'baseUrl', 'yolo'] as const;
export type WideningKey = (typeof WIDENING_KEYS)[number];

/**
 * Where a settings change came from: a CLI command, an HTTP client, or the web UI (a request with this server's
 * Origin).
 */
export const CHANGE_ORIGINS = ['cli', 'api', 'ui'] as const;
export type ChangeOrigin = (typeof CHANGE_ORIGINS)[number];

export const WideningChangeSchema = z.object({
  key: z.enum(WIDENING_KEYS),
  old: z.unknown(),
  new: z.unknown(),
  /** One line: what the change lets agents do. */
  why: z.string(),
});
export type WideningChange = z.infer<typeof WideningChangeSchema>;

/** The stored values the rules look at (unset keys absent). */
export interface WideningState {
  readonly extraCommands?: readonly string[] | undefined;
  readonly defaultSandbox?: 'auto' | 'on' | 'off' | undefined;
  readonly baseUrl?: string | undefined;
  readonly yolo?: boolean | undefined;
}

/**
 * A requested change: a value sets a key, `null` clears it, absent leaves it; `extraCommands` is the whole new list.
 */
export interface WideningRequest {
  readonly extraCommands?: readonly string[] | null | undefined;
  readonly defaultSandbox?: 'auto' | 'on' | 'off' | null | undefined;
  readonly baseUrl?: string | null | undefined;
  readonly yolo?: boolean | null | undefined;
}

export const WIDENING_LABELS: Readonly<Record<WideningKey, string>> = {
  extraCommands: 'Extra commands agents may run',
  defaultSandbox: 'OS sandbox',
  baseUrl: 'Model base URL',
  yolo: 'YOLO',
};

/**
 * The changes of `request` (against the stored `current`) that widen what agents may do.
 * Narrowing changes (removing a command, sandbox on, clearing the URL, YOLO off) are not listed.
 */
export function wideningChanges(current: WideningState, request: WideningRequest): WideningChange[] {
  const out: WideningChange[] = [];
  if (request.extraCommands !== undefined && request.extraCommands !== null) {
    const before = new Set(current.extraCommands ?? []);
    const added = [...new Set(request.extraCommands)].filter((c) => !before.has(c)).sort();
    if (added.length > 0) {
      out.push({
        key: 'extraCommands',
        old: [...(current.extraCommands ?? [])],
        new: [...new Set(request.extraCommands)].sort(),
        why: `agents may run ${added.join(', ')} in this project, with your user's rights; a build tool runs whatever code the project gives it`,
      });
    }
  }
  // off < auto (unset means auto) < on: auto silently runs without the sandbox where it is missing.
  const strength = (v: WideningState['defaultSandbox'] | null) => (v === 'on' ? 2 : v === 'off' ? 0 : 1);
  if (request.defaultSandbox !== undefined && strength(request.defaultSandbox) < strength(current.defaultSandbox)) {
    out.push({
      key: 'defaultSandbox',
      old: current.defaultSandbox ?? null,
      new: request.defaultSandbox,
      why:
        request.defaultSandbox === 'off'
          ? "agents' commands run without the OS sandbox: they can read and write everything your user can and reach any network address"
          : "on a machine without the OS sandbox, agents' commands run without it (with a warning) instead of the run refusing to start",
    });
  }
  if (typeof request.baseUrl === 'string' && request.baseUrl !== current.baseUrl) {
    out.push({
      key: 'baseUrl',
      old: current.baseUrl ?? null,
      new: request.baseUrl,
      why: `every session sends the provider credentials, its prompts and the project's code to ${request.baseUrl}`,
    });
  }
  if (request.yolo === true && current.yolo !== true) {
    out.push({
      key: 'yolo',
      old: current.yolo ?? null,
      new: true,
      why: 'features are marked passing without verification in a browser: what agents claim is taken as done',
    });
  }
  return out;
}

/** `OS sandbox: "on" → "off"`, for messages and the confirmation dialog. */
export function describeChange(change: Pick<WideningChange, 'key' | 'old' | 'new'>): string {
  const show = (v: unknown) =>
    v === null || v === undefined
      ? 'unset'
      : Array.isArray(v)
        ? v.length > 0
          ? v.join(', ')
          : 'none'
        : JSON.stringify(v);
  return `${WIDENING_LABELS[change.key]}: ${show(change.old)} → ${show(change.new)}`;
}
