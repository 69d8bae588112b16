import { DynamicModule, FactoryProvider, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { RedisLock } from './redis-lock';
import { REDIS, REDIS_AT_START } from './redis.tokens';

export { REDIS, REDIS_AT_START };

/**
 * The one ioredis client of the process. Redis is a cache (G8): commands time out
 * quickly and fail instead of queueing while Redis is away, so callers can fall back.
 * A process that started without Redis keeps running without it (balance cache off, jobs
 * in-process) and only says so when Redis answers again.
 */
@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  static forRoot(availableAtStart = true): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS_AT_START, useValue: availableAtStart }, redisClientProvider(availableAtStart), RedisLock],
      exports: [REDIS, REDIS_AT_START, RedisLock],
    };
  }

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function redisClientProvider(availableAtStart: boolean): FactoryProvider<Redis> {
  return {
    provide: REDIS,
    inject: [AppConfig],
    useFactory: (config: AppConfig): Redis => {
      const logger = new Logger('Redis');
      const client = new Redis(config.get('REDIS_URL'), {
        commandTimeout: config.get('REDIS_COMMAND_TIMEOUT_MS'),
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        lazyConnect: false,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      });
      // Started without Redis: the first failures are expected and were reported at startup.
      let down = !availableAtStart;
      client.on('error', (err: Error) => {
        if (!down) logger.warn(`Redis unavailable: ${err.message}`);
        down = true;
      });
      client.on('ready', () => {
        if (!availableAtStart) {
          logger.log('Redis answers again; this process keeps running without it (balance cache off, jobs in-process): restart it to use Redis');
        } else if (down) logger.log('Redis connection restored');
        down = false;
      });
      return client;
    },
  };
}
