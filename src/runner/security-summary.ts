import type { RunSettings, SettingSource } from '../config/run-settings.js';
import type { SandboxDecision } from './sandbox.js';

/** What a run needs to say about its own guard, and where each part came from. */
export interface SecuritySummaryInput {
  readonly settings: Pick<RunSettings, 'sandbox' | 'yolo' | 'baseUrl'>;
  readonly sandbox: SandboxDecision;
  /** Which settings layer decided a key (`settingSources` in config/run-settings). */
  readonly source: (key: 'sandbox' | 'yolo' | 'baseUrl') => SettingSource;
  /** The project's allowlist extensions (`autocoder policy allow`). */
  readonly extraCommands: readonly string[];
}

/**
 * The one line `autocoder run` prints at start, e.g.
 * `Security: sandbox on (user settings) · browser checks on (default) · extra commands: none`.
 * A person reading a run's output sees at once whether the guard is weaker than they meant,
 * and which layer to change.
 */
export function securitySummary(i: SecuritySummaryInput): string {
  const mode = i.settings.sandbox;
  const from = i.source('sandbox');
  const sandbox = i.sandbox.enabled
    ? `sandbox on (${mode === 'auto' ? `auto, ${from}` : from})`
    : mode === 'off'
      ? `sandbox OFF (${from})`
      : `sandbox OFF (auto: not available on this machine, ${from})`;
  const browser = i.settings.yolo
    ? `browser checks off (yolo, ${i.source('yolo')})`
    : `browser checks on (${i.source('yolo')})`;
  const extra =
    i.extraCommands.length === 0
      ? 'extra commands: none'
      : `extra commands: ${i.extraCommands.join(', ')} (project allowlist)`;
  const parts = [sandbox, browser, extra];
  if (i.settings.baseUrl !== undefined) parts.push(`model endpoint ${i.settings.baseUrl} (${i.source('baseUrl')})`);
  return `Security: ${parts.join(' · ')}`;
}
