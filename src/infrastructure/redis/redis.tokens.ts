/** Injection token of the process's ioredis client (see RedisModule). */
export const REDIS = Symbol('REDIS');
