/**
 * The human-input scenario several end-to-end tests share: a two-feature backlog where feature 1
 * (a store map) needs a maps API key and a region from a person, plus the helpers those tests
 * use to look for traces of the secret (autocoder's own files, API responses).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openStoreCache } from '../../src/db/store-location.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createApp } from '../../src/server/app.js';
import { API_ROUTES } from '../../src/server/routes/index.js';
import type { HumanInputField } from '../../src/shared/human-input.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  landingCodingSession,
  reply,
  type PlannedFeature,
  type Step,
} from './fake-anthropic/index.js';
import { createPreviewManager } from '../../src/preview/preview-manager.js';
import { createBrowserViews } from '../../src/browser-view/browser-views.js';

export const MAPS_FEATURES: PlannedFeature[] = [
  {
    category: 'maps',
    name: 'Store map',
    description: 'Shows the store on a map (needs a maps API key).',
    steps: ['open the map'],
  },
  { category: 'core', name: 'Opening hours', description: 'Lists opening hours.', steps: ['see the hours'] },
];

/** The fields feature 1 asks for by default: the key (secret) and a free-text region. */
export const MAPS_FIELDS: Partial<HumanInputField>[] = [
  { id: 'maps_key', label: 'Maps API key', type: 'secret', help: 'console → credentials' },
  { id: 'region', label: 'Region', type: 'text', placeholder: 'eu-west-1' },
];

/** What feature 1's sessions saw once an answer existed: each one's prompt and `cat .env`. */
export interface SeenAfterAnswer {
  readonly prompts: string[];
  readonly envOutputs: string[];
}

export const newSeen = (): SeenAfterAnswer => ({ prompts: [], envOutputs: [] });

/**
 * Coding sessions: feature 1 first asks for `fields`, then ends; once answered (its prompt says
 * where the secret went) each session reads .env, writes a file of its own (`feature-1.txt`,
 * then `feature-1-attempt-N.txt`), commits and lands with `evidence`. Other features land
 * normally.
 */
export function mapsCodingSession(
  seen: SeenAfterAnswer,
  options: { fields?: Partial<HumanInputField>[]; evidence?: string } = {},
): Step {
  const landing = landingCodingSession();
  return (conv) => {
    if (assignedFeature(conv) !== 1) return landing(conv);
    if (!conv.prompt.includes('saved in .env as')) {
      if (conv.turn === 0) {
        return reply()
          .text('The maps API needs a key I do not have.')
          .tool(FEATURE_TOOL('feature_request_human_input'), {
            feature_id: 1,
            prompt: 'The store map needs a maps API key and the region to use.',
            fields: options.fields ?? MAPS_FIELDS,
          });
      }
      return reply().text('Asked a human for the key; ending this session.');
    }
    if (conv.turn === 0) seen.prompts.push(conv.prompt);
    const attempt = seen.prompts.length - 1;
    switch (conv.turn) {
      case 0:
        return reply().tool('Bash', { command: 'cat .env' });
      case 1:
        seen.envOutputs.push(conv.lastToolResults[0]?.text ?? '');
        return reply().tool('Write', {
          file_path: attempt === 0 ? 'features/feature-1.txt' : `features/feature-1-attempt-${attempt}.txt`,
          content: 'feature 1 implemented\n',
        });
      case 2:
        return reply().tool('Bash', { command: 'git add -A && git commit -m "Feature #1"' });
      case 3:
        return reply().tool(FEATURE_TOOL('feature_mark_passing'), {
          feature_id: 1,
          evidence: options.evidence ?? 'the map renders with the key from .env',
        });
      default:
        return reply().text('Feature 1 landed.');
    }
  };
}

/**
 * Every file autocoder writes for the project except the worktrees' checkouts: the database (WAL included), logs,
 * transcripts.
 */
export function autocoderFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (full === join(dir, '.autocoder', 'worktrees')) continue;
      if (statSync(full).isDirectory()) visit(full);
      else out.push(full);
    }
  };
  visit(join(dir, '.autocoder'));
  return out;
}

const API_TOKEN = 'a'.repeat(64);

/** The real API app over the same registry as the CLI; every response text is kept for the secret search. */
export function apiCaller(env: NodeJS.ProcessEnv, cwd: string) {
  const responses: string[] = [];
  // Stores opened for each call and closed after it, so nothing stays open between the run's steps.
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const stores = openStoreCache(env);
    try {
      const app = createApp(
        {
          env,
          cwd,
          now: () => Date.now(),
          stores,
          guard: { port: 8888, extraHosts: [], token: API_TOKEN, tokenFile: 'server-token', maxBodyBytes: 1_000_000 },
          browserViews: createBrowserViews(),
          previews: createPreviewManager(silentLogger()),
          launchRunner: () => ({ pid: 0 }),
          logger: silentLogger(),
        },
        API_ROUTES,
      );
      const text = body === undefined ? undefined : JSON.stringify(body);
      const res = await app.request(`http://localhost:8888${path}`, {
        method,
        headers: {
          host: 'localhost:8888',
          authorization: `Bearer ${API_TOKEN}`,
          ...(text === undefined
            ? {}
            : {
                'content-type': 'application/json',
                origin: 'http://localhost:8888',
                'content-length': String(Buffer.byteLength(text)),
              }),
        },
        ...(text === undefined ? {} : { body: text }),
      });
      const raw = await res.text();
      responses.push(raw);
      return { status: res.status, json: JSON.parse(raw) as unknown };
    } finally {
      stores.close();
    }
  };
  return { call, responses };
}
