import { describe, it, expect } from 'vitest';
import { AppError } from '../domain/errors.js';
import {
  loadRunSettings,
  modelFor,
  resolveRunSettings,
  settingSources,
  workerRunSettings,
  type RunSettings,
} from './run-settings.js';

function settingsError(env: Record<string, string>, flags: Partial<RunSettings>): AppError {
  try {
    loadRunSettings(env, flags);
  } catch (err: unknown) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('loadRunSettings did not throw');
}

describe('loadRunSettings', () => {
  it('uses the defaults with no environment and no flags', () => {
    expect(loadRunSettings({}, {})).toEqual({
      yolo: false,
      leaseMs: 90_000,
      heartbeatMs: 10_000,
      retryBackoffMs: 15_000,
      maxWaitMs: 6 * 3_600_000,
      rateLimitBackoffMs: 60_000,
      basePort: 5100,
      sandbox: 'auto',
      concurrency: 1,
      testingRatio: 0,
      stallMs: 600_000,
      maxSessionMs: 3_600_000,
      supervisor: false,
      waitForInput: true,
      keepTemp: false,
      regressionEvery: 5,
      checkpointInterval: 10,
      checkpointAgents: ['code', 'security', 'performance'],
      designReviewEvery: 0,
      designIterations: 3,
      pauseOnCritical: true,
      verifier: false,
      headed: false,
    });
  });

  it('reads AUTOCODER_CHECKPOINT_INTERVAL (0: none) and AUTOCODER_PAUSE_ON_CRITICAL below the flags', () => {
    expect(
      loadRunSettings({ AUTOCODER_CHECKPOINT_INTERVAL: '0', AUTOCODER_PAUSE_ON_CRITICAL: 'no' }, {}),
    ).toMatchObject({ checkpointInterval: 0, pauseOnCritical: false });
    expect(loadRunSettings({ AUTOCODER_CHECKPOINT_INTERVAL: '3' }, { checkpointInterval: 7 }).checkpointInterval).toBe(
      7,
    );
    expect(() => loadRunSettings({ AUTOCODER_CHECKPOINT_INTERVAL: 'often' }, {})).toThrow(/checkpointInterval/);
  });

  it('reads AUTOCODER_DESIGN_REVIEW_EVERY and AUTOCODER_DESIGN_ITERATIONS below the flags, and refuses 0 iterations', () => {
    expect(loadRunSettings({ AUTOCODER_DESIGN_REVIEW_EVERY: '4', AUTOCODER_DESIGN_ITERATIONS: '2' }, {})).toMatchObject(
      { designReviewEvery: 4, designIterations: 2 },
    );
    expect(loadRunSettings({ AUTOCODER_DESIGN_ITERATIONS: '2' }, { designIterations: 5 }).designIterations).toBe(5);
    expect(() => loadRunSettings({ AUTOCODER_DESIGN_ITERATIONS: '0' }, {})).toThrow(/designIterations/);
  });

  it('reads AUTOCODER_REGRESSION_EVERY (0 turns regression passes off) and AUTOCODER_VERIFIER below the flags', () => {
    expect(loadRunSettings({ AUTOCODER_REGRESSION_EVERY: '0', AUTOCODER_VERIFIER: 'yes' }, {})).toMatchObject({
      regressionEvery: 0,
      verifier: true,
    });
    expect(loadRunSettings({ AUTOCODER_REGRESSION_EVERY: '3' }, { regressionEvery: 7 }).regressionEvery).toBe(7);
    expect(() => loadRunSettings({ AUTOCODER_REGRESSION_EVERY: '-1' }, {})).toThrow(/regressionEvery/);
    expect(() => loadRunSettings({ AUTOCODER_VERIFIER: 'perhaps' }, {})).toThrow(/verifier/);
  });

  it('reads AUTOCODER_SUPERVISOR and AUTOCODER_WAIT_FOR_INPUT as booleans (1/true/yes, 0/false/no) and refuses anything else', () => {
    expect(loadRunSettings({ AUTOCODER_SUPERVISOR: '1', AUTOCODER_WAIT_FOR_INPUT: 'no' }, {})).toMatchObject({
      supervisor: true,
      waitForInput: false,
    });
    expect(loadRunSettings({ AUTOCODER_SUPERVISOR: 'TRUE' }, {}).supervisor).toBe(true);
    expect(loadRunSettings({ AUTOCODER_SUPERVISOR: '1' }, { supervisor: false }).supervisor).toBe(false);
    expect(() => loadRunSettings({ AUTOCODER_SUPERVISOR: 'maybe' }, {})).toThrow(/supervisor/);
  });

  it('reads AUTOCODER_KEEP_TEMP as a boolean below the --keep-temp flag', () => {
    expect(loadRunSettings({ AUTOCODER_KEEP_TEMP: '1' }, {}).keepTemp).toBe(true);
    expect(loadRunSettings({ AUTOCODER_KEEP_TEMP: 'no' }, { keepTemp: true }).keepTemp).toBe(true);
    expect(loadRunSettings({ AUTOCODER_KEEP_TEMP: 'yes' }, { keepTemp: false }).keepTemp).toBe(false);
    expect(() => loadRunSettings({ AUTOCODER_KEEP_TEMP: 'sometimes' }, {})).toThrow(/keepTemp/);
  });

  it('reads AUTOCODER_* variables, parsing the numeric ones', () => {
    const s = loadRunSettings(
      {
        AUTOCODER_MODEL: 'claude-sonnet-4-5',
        AUTOCODER_LEASE_MS: '120000',
        AUTOCODER_HEARTBEAT_MS: '500',
        AUTOCODER_RETRY_BACKOFF_MS: '0',
        AUTOCODER_MAX_WAIT_MS: '60000',
        AUTOCODER_RATE_LIMIT_BACKOFF_MS: '2500',
        AUTOCODER_CHROMIUM: '/usr/bin/chromium',
        AUTOCODER_CONCURRENCY: '3',
        AUTOCODER_TESTING_RATIO: '2',
        AUTOCODER_STALL_MS: '5000',
        AUTOCODER_MAX_SESSION_MS: '90000',
        UNRELATED: 'x',
      },
      {},
    );
    expect(s).toEqual({
      model: 'claude-sonnet-4-5',
      yolo: false,
      leaseMs: 120_000,
      heartbeatMs: 500,
      retryBackoffMs: 0,
      maxWaitMs: 60_000,
      rateLimitBackoffMs: 2500,
      basePort: 5100,
      sandbox: 'auto',
      chromium: '/usr/bin/chromium',
      concurrency: 3,
      testingRatio: 2,
      stallMs: 5000,
      maxSessionMs: 90_000,
      supervisor: false,
      waitForInput: true,
      keepTemp: false,
      regressionEvery: 5,
      checkpointInterval: 10,
      checkpointAgents: ['code', 'security', 'performance'],
      designReviewEvery: 0,
      designIterations: 3,
      pauseOnCritical: true,
      verifier: false,
      headed: false,
    });
  });

  it('ignores empty environment values', () => {
    expect(loadRunSettings({ AUTOCODER_LEASE_MS: '', AUTOCODER_MODEL: '' }, {})).toEqual(loadRunSettings({}, {}));
  });

  it('lets flags override the environment', () => {
    const s = loadRunSettings(
      { AUTOCODER_LEASE_MS: '120000', AUTOCODER_MODEL: 'env-model' },
      { leaseMs: 5_000, model: 'flag-model', yolo: true, maxIterations: 3 },
    );
    expect(s.leaseMs).toBe(5_000);
    expect(s.model).toBe('flag-model');
    expect(s.yolo).toBe(true);
    expect(s.maxIterations).toBe(3);
  });

  it('does not let undefined flags erase environment values', () => {
    const s = loadRunSettings(
      { AUTOCODER_LEASE_MS: '120000', AUTOCODER_MODEL: 'env-model' },
      { leaseMs: undefined, model: undefined, maxIterations: undefined },
    );
    expect(s.leaseMs).toBe(120_000);
    expect(s.model).toBe('env-model');
    expect(s).not.toHaveProperty('maxIterations');
  });

  it('rejects a non-numeric environment number, naming the field', () => {
    const err = settingsError({ AUTOCODER_LEASE_MS: 'abc' }, {});
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('leaseMs');
  });

  it('rejects out-of-range values, naming the field', () => {
    const iterations = settingsError({}, { maxIterations: 0 });
    expect(iterations.code).toBe('INVALID_INPUT');
    expect(iterations.message).toContain('maxIterations');

    const heartbeat = settingsError({ AUTOCODER_HEARTBEAT_MS: '10' }, {});
    expect(heartbeat.message).toContain('heartbeatMs');

    const fractional = settingsError({ AUTOCODER_MAX_WAIT_MS: '1.5' }, {});
    expect(fractional.message).toContain('maxWaitMs');
  });

  it('rejects unknown flags', () => {
    const err = settingsError({}, { bogus: 1 } as unknown as Partial<RunSettings>);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('bogus');
  });

  describe("AutoCoder-2's variables", () => {
    it('ENABLE_SUPERVISORY_AGENT=true turns supervisor mode on, as AUTOCODER_SUPERVISOR does', () => {
      expect(loadRunSettings({}, {}).supervisor).toBe(false);
      expect(loadRunSettings({ ENABLE_SUPERVISORY_AGENT: 'true' }, {}).supervisor).toBe(true);
      expect(loadRunSettings({ ENABLE_SUPERVISORY_AGENT: 'false' }, {}).supervisor).toBe(false);
      // Ours wins when both are set.
      expect(loadRunSettings({ ENABLE_SUPERVISORY_AGENT: 'true', AUTOCODER_SUPERVISOR: '0' }, {}).supervisor).toBe(
        false,
      );
      expect(() => loadRunSettings({ ENABLE_SUPERVISORY_AGENT: 'sometimes' }, {})).toThrow(/supervisor/);
      const layers = { env: { ENABLE_SUPERVISORY_AGENT: 'true' } };
      expect(settingSources(layers)('supervisor')).toBe('environment');
    });

    it("SUPERVISORY_AGENT_MODEL is the supervisor role's model, and only that role's", () => {
      const s = loadRunSettings(
        { SUPERVISORY_AGENT_MODEL: 'claude-sonnet-4-5', AUTOCODER_MODEL: 'claude-opus-4-5' },
        {},
      );
      expect(modelFor(s, 'supervisor')).toBe('claude-sonnet-4-5');
      expect(modelFor(s, 'coding')).toBe('claude-opus-4-5');
      expect(
        modelFor(
          loadRunSettings({ SUPERVISORY_AGENT_MODEL: 'seed-model', AUTOCODER_MODEL_SUPERVISOR: 'our-model' }, {}),
          'supervisor',
        ),
      ).toBe('our-model');
      // A flag for the role beats it; a saved role model ranks below it.
      expect(
        modelFor(
          resolveRunSettings({
            registry: { models: { supervisor: 'saved' } },
            env: { SUPERVISORY_AGENT_MODEL: 'seed-model' },
          }),
          'supervisor',
        ),
      ).toBe('seed-model');
      expect(
        modelFor(
          loadRunSettings({ SUPERVISORY_AGENT_MODEL: 'seed-model' }, { models: { supervisor: 'flag-model' } }),
          'supervisor',
        ),
      ).toBe('flag-model');
    });

    it('PLAYWRIGHT_HEADLESS=false asks for headed browsers (true: headless), as AUTOCODER_HEADED=1 does', () => {
      expect(loadRunSettings({ PLAYWRIGHT_HEADLESS: 'false' }, {}).headed).toBe(true);
      expect(loadRunSettings({ PLAYWRIGHT_HEADLESS: 'true' }, {}).headed).toBe(false);
      expect(loadRunSettings({ AUTOCODER_HEADED: '1' }, {}).headed).toBe(true);
      expect(loadRunSettings({ PLAYWRIGHT_HEADLESS: 'false', AUTOCODER_HEADED: 'no' }, {}).headed).toBe(false);
      expect(() => loadRunSettings({ PLAYWRIGHT_HEADLESS: 'maybe' }, {})).toThrow(/headed/);
    });
  });
});

describe('workerRunSettings (#20)', () => {
  const own = resolveRunSettings({ env: {}, flags: { concurrency: 4, model: 'local-model', basePort: 9000 } });
  it("takes the run's agents, guard and leases, keeps this machine's slots and ports", () => {
    const run = { ...resolveRunSettings({ env: {}, flags: { yolo: true, leaseMs: 5_000, sandbox: 'off' } }) };
    const mine = workerRunSettings(run, own);
    expect(mine).toMatchObject({ concurrency: 4, basePort: 9000, yolo: true, leaseMs: 5_000, sandbox: 'off' });
    // The run used Claude Code's default model: so does the worker, whatever its own setting says.
    expect(mine.model).toBeUndefined();
  });
  it('refuses recorded settings it cannot read, saying which', () => {
    expect(() => workerRunSettings({ leaseMs: 'soon' }, own)).toThrow(/recorded settings.*leaseMs/);
  });
});
