/**
 * The only place that reads `process.env`. Everything else receives an `Env` value, so tests
 * and child processes can pass an explicit environment.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function processEnv(): Env {
  return process.env;
}

/** `env` for a git that talks to a remote with nobody to answer a prompt (#20): git fails instead of asking. */
export function noPromptEnv(env: Env): Env {
  return { ...env, GIT_TERMINAL_PROMPT: '0' };
}
