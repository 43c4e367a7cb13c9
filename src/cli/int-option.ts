import { InvalidArgumentError } from 'commander';

/**
 * A commander option parser for a whole number from `min` to `max`. Its error is commander's own: printed as a usage
 * error (exit 2), not thrown out of the parser.
 */
export const intIn = (flag: string, min: number, max: number) => (raw: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max)
    throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
};
