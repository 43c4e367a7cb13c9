/** Why an agent could not finish a feature and asked a human. */
export const BLOCKER_TYPES = [
  'dependency',
  'credentials',
  'external_service',
  'unclear_spec',
  'technical',
  'other',
] as const;

export type BlockerType = (typeof BLOCKER_TYPES)[number];

/** A keyword is a plain phrase (matched as whole words, with common suffixes) or a ready pattern. */
type Keyword = string | RegExp;

type ScoredType = Exclude<BlockerType, 'other'>;

/**
 * Keyword tables, listed in tie-break order: when two types score the same, the earlier wins.
 * Credentials and external services come first because their words are the most specific;
 * technical comes last because words like "error" show up in almost every reason.
 */
const BLOCKER_KEYWORDS: ReadonlyArray<readonly [ScoredType, readonly Keyword[]]> = [
  [
    'credentials',
    [
      'api key',
      'api_key',
      'apikey',
      'token',
      'secret',
      'password',
      'credential',
      'oauth',
      'client id',
      'client_id',
      'env var',
      'environment variable',
      'login',
      'auth key',
    ],
  ],
  [
    'external_service',
    [
      'stripe',
      'sendgrid',
      'twilio',
      'third-party',
      'third party',
      'external service',
      'external api',
      'webhook',
      'smtp',
      's3',
      'network',
      'unreachable',
      'down',
      'rate limit',
      'rate-limit',
      'quota',
    ],
  ],
  [
    'dependency',
    [
      'depends on',
      'requires feature',
      'blocked by feature',
      'waiting for feature',
      'waiting on feature',
      'prerequisite',
      /(?<![a-z0-9])feature\s*#\s*\d+/,
      'not implemented yet',
      'not yet implemented',
    ],
  ],
  [
    'unclear_spec',
    [
      'unclear',
      'ambiguous',
      'not specified',
      'spec does not',
      "spec doesn't",
      'contradict',
      'which option',
      'clarify',
      'clarification',
      'unspecified',
      /(?<![a-z0-9])undefined behaviou?r(?![a-z0-9])/,
    ],
  ],
  [
    'technical',
    [
      'error',
      'crash',
      'bug',
      'build fails',
      'build failed',
      'compile',
      'compilation',
      'test fails',
      'tests fail',
      'test failed',
      'timeout',
      'timed out',
      'memory',
      'incompatible',
      'version',
      'cannot install',
      "can't install",
      'broken',
    ],
  ],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole-word match that also accepts plural and past forms ("tokens", "crashed", "errors"). */
function phrasePattern(phrase: string): RegExp {
  const body = escapeRegExp(phrase).replace(/\s+/g, '\\s+');
  return new RegExp(`(?<![a-z0-9])${body}(?:s|es|d|ed|ing)?(?![a-z0-9])`);
}

const COMPILED_KEYWORDS: ReadonlyArray<readonly [ScoredType, readonly RegExp[]]> = BLOCKER_KEYWORDS.map(
  ([type, keywords]) => [type, keywords.map((k) => (typeof k === 'string' ? phrasePattern(k) : k))] as const,
);

/** Whether `x` is one of {@link BLOCKER_TYPES}. */
export function isBlockerType(x: unknown): x is BlockerType {
  return typeof x === 'string' && (BLOCKER_TYPES as readonly string[]).includes(x);
}

/**
 * The blocker type of a reason. An agent-supplied type wins when it is valid; otherwise the
 * reason is scored against keyword tables (one point per distinct keyword found) and the
 * highest-scoring type wins, with ties going to the more specific type. No hit gives 'other'.
 */
export function classifyBlocker(reason: string, agentType?: string | null): BlockerType {
  if (isBlockerType(agentType)) return agentType;
  const text = reason.toLowerCase();
  let best: BlockerType = 'other';
  let bestScore = 0;
  for (const [type, patterns] of COMPILED_KEYWORDS) {
    const score = patterns.reduce((sum, pattern) => sum + (pattern.test(text) ? 1 : 0), 0);
    if (score > bestScore) {
      best = type;
      bestScore = score;
    }
  }
  return best;
}
