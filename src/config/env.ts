/**
 * The only place that reads `process.env`. Everything else receives an `Env` value, so tests
 * and child processes can pass an explicit environment.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function processEnv(): Env {
  return process.env;
}
