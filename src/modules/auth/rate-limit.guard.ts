import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/app-config';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AccessPolicy } from './access-policy';
import { routeAccess } from './api-key.guard';

/**
 * @nestjs/throttler with one budget per API key across all routes (per client IP for
 * requests without a valid key, or when auth is off). Runs before the auth guard, so
 * unauthenticated floods are limited too. 429 carries Retry-After (seconds).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly config: AppConfig,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly policy: AccessPolicy,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || this.config.get('RATE_LIMIT_MAX') === 0 || this.policy.isOpen(routeAccess(this.reflector, context));
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const req = request as unknown as FastifyRequest;
    const principal = this.authenticator.enabled ? this.authenticator.principalOf(req) : null;
    return principal ? `key:${principal.name}` : `ip:${req.ip}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `ledger:ratelimit:${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new AppError('RATE_LIMITED', `Rate limit of ${detail.limit} requests per ${detail.ttl} ms exceeded; retry after ${detail.timeToBlockExpire} s.`);
  }
}
