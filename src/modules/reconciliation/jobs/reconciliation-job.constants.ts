/** The Bull queue of scheduled reconciliation runs and its one (repeatable) job name. */
export const RECONCILIATION_QUEUE = 'reconciliation';
export const RUN_RECONCILIATION_JOB = 'run-reconciliation';
