import { QueryFailedError } from 'typeorm';

/** The Postgres SQLSTATE and constraint of a failed query, if it is one. */
export function pgError(err: unknown): { code?: string; constraint?: string } {
  const e = (err instanceof QueryFailedError ? err.driverError : err) as { code?: string; constraint?: string };
  return { code: e?.code, constraint: e?.constraint };
}

export const UNIQUE_VIOLATION = '23505';
export const CHECK_VIOLATION = '23514';
export const FOREIGN_KEY_VIOLATION = '23503';
