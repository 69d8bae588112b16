/** The Bull queue of the cache-sync job and its one (repeatable) job name. */
export const BALANCE_CACHE_SYNC_QUEUE = 'balance-cache-sync';
export const SYNC_BALANCE_CACHE_JOB = 'sync-balance-cache';
/** Redis lock held while a run is in progress, so two instances never run it at once. */
export const BALANCE_CACHE_SYNC_LOCK = 'balance-cache-sync';
export const BALANCE_CACHE_SYNC_LOCK_TTL_MS = 5 * 60_000;
