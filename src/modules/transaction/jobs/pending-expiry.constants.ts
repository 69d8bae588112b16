/** The Bull queue of the pending-expiry job and its one (repeatable) job name. */
export const PENDING_EXPIRY_QUEUE = 'pending-expiry';
export const EXPIRE_DUE_HOLDS_JOB = 'expire-due-holds';
/** Redis lock held while a run is in progress, so two instances never run it at once. */
export const PENDING_EXPIRY_LOCK = 'pending-expiry';
export const PENDING_EXPIRY_LOCK_TTL_MS = 5 * 60_000;
