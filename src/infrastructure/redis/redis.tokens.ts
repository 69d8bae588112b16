/** Injection token of the process's ioredis client (see RedisModule). */
export const REDIS = Symbol('REDIS');

/** Whether Redis answered when the process started (false: balance cache off, jobs in-process). */
export const REDIS_AT_START = Symbol('REDIS_AT_START');
