import type { ErrorCode } from '../domain/errors.js';

/** Process exit codes; scripts can tell bad input from a missing project from a conflict. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  database: 5,
  /** `autocoder run` stopped because its budget (--max-cost, budget.runUsd) or the day's (budget.dailyUsd) ran out. */
  budget: 6,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
      return EXIT.usage;
    case 'NOT_FOUND':
      return EXIT.notFound;
    case 'CONFLICT':
    case 'DUPLICATE':
    case 'DEPENDENCY_CYCLE':
    case 'INVALID_TRANSITION':
    case 'CLAIM_LOST':
    case 'CONFIRMATION_REQUIRED':
      return EXIT.conflict;
    case 'SCHEMA_TOO_NEW':
    case 'DB_CORRUPT':
      return EXIT.database;
    case 'IO_ERROR':
    case 'INTERNAL':
      return EXIT.failure;
  }
}
