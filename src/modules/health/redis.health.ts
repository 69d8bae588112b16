import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { REDIS } from '../../infrastructure/redis/redis.module';

/**
 * Redis is a cache (G8): when it is down the service still works, so readiness
 * reports it as degraded instead of failing.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(key);
    try {
      await this.redis.ping();
      return check.up();
    } catch {
      return check.up({ degraded: true, message: 'Redis unavailable; serving from Postgres' });
    }
  }
}
