import { randomUUID } from 'crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from './redis.tokens';

/** Deletes the lock only if this holder still owns it (a lock that expired and was retaken is left alone). */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export type LockedRun<T> =
  | { ran: true; result: T }
  | { ran: false; reason: 'held' | 'redis-unavailable' };

/**
 * A best-effort mutual exclusion across instances (SET NX PX + owner-checked release), for
 * scheduled jobs that should not overlap. It is never the guard of a state change (DESIGN
 * section 4: status changes are guarded in SQL): if the TTL runs out mid-run, a second run
 * only finds nothing left to do. With Redis unavailable the work is skipped, not run unlocked.
 */
@Injectable()
export class RedisLock {
  private readonly logger = new Logger(RedisLock.name);

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async runExclusive<T>(name: string, ttlMs: number, work: () => Promise<T>): Promise<LockedRun<T>> {
    const key = `ledger:lock:${name}`;
    const token = randomUUID();
    let acquired: string | null;
    try {
      acquired = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
    } catch (err) {
      this.logger.warn(`Lock ${name} not taken, Redis unavailable (${(err as Error).message}); skipping this run`);
      return { ran: false, reason: 'redis-unavailable' };
    }
    if (acquired !== 'OK') return { ran: false, reason: 'held' };
    try {
      return { ran: true, result: await work() };
    } finally {
      await this.redis.eval(RELEASE_SCRIPT, 1, key, token).catch((err: Error) => {
        // It expires on its own after ttlMs.
        this.logger.warn(`Lock ${name} not released (${err.message}); it expires in at most ${ttlMs} ms`);
      });
    }
  }
}
