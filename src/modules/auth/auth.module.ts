import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { parseApiKeys } from '../../config/api-keys';
import { AppConfig } from '../../config/app-config';
import { Env } from '../../config/env.schema';
import { REDIS } from '../../infrastructure/redis/redis.tokens';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AccessPolicy } from './access-policy';
import { ApiKeyGuard } from './api-key.guard';
import { RATE_LIMIT_STORAGE, RateLimitGuard } from './rate-limit.guard';
import { ResilientThrottlerStorage } from './resilient-throttler.storage';

/**
 * Production refuses to start without API_KEYS unless AUTH_DISABLED=true. Called by createApp
 * before anything connects, so a refused boot leaves nothing open.
 */
export function assertAuthConfigured(env: Pick<Env, 'NODE_ENV' | 'API_KEYS' | 'AUTH_DISABLED'>): void {
  if (env.NODE_ENV === 'production' && !env.AUTH_DISABLED && parseApiKeys(env.API_KEYS).length === 0) {
    throw new Error('Refusing to start: NODE_ENV=production needs API_KEYS (or AUTH_DISABLED=true to run without authentication)');
  }
}

/** Builds the authenticator from API_KEYS; no keys (outside production) means auth off, said once at boot. */
export function createAuthenticator(config: AppConfig): ApiKeyAuthenticator {
  const logger = new Logger('Auth');
  const keys = parseApiKeys(config.get('API_KEYS'));
  const env = config.get('NODE_ENV');
  assertAuthConfigured({ NODE_ENV: env, API_KEYS: config.get('API_KEYS'), AUTH_DISABLED: config.get('AUTH_DISABLED') });
  if (config.get('AUTH_DISABLED')) {
    logger.warn(`Authentication is OFF (AUTH_DISABLED=true, NODE_ENV=${env}): every request is served as admin`);
    return new ApiKeyAuthenticator([], false);
  }
  if (keys.length === 0) {
    logger.warn(`Authentication is OFF (no API_KEYS, NODE_ENV=${env}): every request is served as admin`);
    return new ApiKeyAuthenticator([], false);
  }
  logger.log(`Authentication on: ${keys.length} API key(s) configured`);
  return new ApiKeyAuthenticator(keys, true);
}

/**
 * API keys (global guard), roles and organization scopes, and rate limits (opt-in per key, and
 * on failed authentication per client address) counted in Redis with @nestjs/throttler's
 * storage. The rate-limit guard is registered first, so it runs first.
 */
@Global()
@Module({
  providers: [
    { provide: ApiKeyAuthenticator, inject: [AppConfig], useFactory: createAuthenticator },
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [REDIS],
      useFactory: (redis: Redis) => new ResilientThrottlerStorage(new ThrottlerStorageRedisService(redis)),
    },
    AccessPolicy,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeyAuthenticator, AccessPolicy],
})
export class AuthModule {}
