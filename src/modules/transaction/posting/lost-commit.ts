import { AppError } from '../../../common/errors/app-error';
import { JobResult } from './posting.types';

/** What Postgres says of a batch whose COMMIT lost its connection: committed, not, or no answer. */
export type CommitOutcome = 'committed' | 'rolled-back' | 'unknown';

/**
 * The answers of a batch whose COMMIT lost its connection (G11), once its outcome is read back.
 * Committed: every job keeps its answer (the 2xx it would have had). Rolled back: each job whose
 * answer needed the commit gets "not applied" (503 1003: send it again). Unknown (Postgres still
 * unreachable): those jobs get 503 1006, "resend with the same X-Idempotency key", which settles
 * the outcome exactly once. Refusals and replays never depended on the commit and stand.
 */
export function answersAfterLostCommit(results: JobResult[], applies: boolean[], outcome: CommitOutcome): JobResult[] {
  if (outcome === 'committed') return results;
  const error = lostCommitError(outcome);
  return results.map((r, i) => (applies[i] ? { ok: false, error } : r));
}

/** The answer to a posting whose COMMIT lost its connection and did not commit, or may not have. */
export function lostCommitError(outcome: Exclude<CommitOutcome, 'committed'>): AppError {
  return outcome === 'rolled-back'
      ? new AppError('SERVICE_UNAVAILABLE', 'The connection to the database was lost before the posting committed; it was not applied. Retry.')
      : new AppError(
          'OUTCOME_UNKNOWN',
          'The connection to the database was lost at commit and the outcome could not be confirmed. Resend with the same X-Idempotency key: it is applied at most once.',
        );
}
