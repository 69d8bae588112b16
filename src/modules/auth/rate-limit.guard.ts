import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors/app-error';
import { RateLimit } from '../../config/api-keys';
import { AppConfig } from '../../config/app-config';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AccessPolicy } from './access-policy';
import { routeAccess } from './api-key.guard';

/** The counters' store (@nestjs/throttler's interface, on Redis; fails open when Redis is down). */
export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

interface Budget extends RateLimit {
  /** The policy's name in the RateLimit fields. */
  policy: 'key' | 'auth-failures';
  tracker: string;
}

/**
 * Rate limits that never throttle a healthy internal client (DESIGN section 8). A key is
 * limited only when its API_KEYS entry says so (`:N/s` or `:N/min`); a request with a missing
 * or wrong key spends its client address's budget of failed authentications
 * (AUTH_FAILURE_LIMIT per AUTH_FAILURE_WINDOW_MS), so keys cannot be guessed at speed, while a
 * valid key from the same address is never refused for it. Runs before the auth guard, which
 * answers the 401s. Answers carry the RateLimit-Policy and RateLimit fields of
 * draft-ietf-httpapi-ratelimit-headers-10; a 429 carries Retry-After (seconds) too.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly authFailures: RateLimit | null;

  constructor(
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly policy: AccessPolicy,
    config: AppConfig,
  ) {
    const limit = config.get('AUTH_FAILURE_LIMIT');
    this.authFailures = limit > 0 ? { limit, windowMs: config.get('AUTH_FAILURE_WINDOW_MS') } : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.authenticator.enabled) return true;
    if (this.policy.isOpen(routeAccess(this.reflector, context))) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const principal = this.authenticator.principalOf(request);
    const budget: Budget | null = principal
      ? principal.rateLimit && { policy: 'key', tracker: `key:${principal.name}`, ...principal.rateLimit }
      : this.authFailures && { policy: 'auth-failures', tracker: `ip:${request.ip}`, ...this.authFailures };
    if (budget) await this.spend(budget, http.getResponse<FastifyReply>());
    return true;
  }

  private async spend(budget: Budget, reply: FastifyReply): Promise<void> {
    const { limit, windowMs, policy } = budget;
    const used = await this.storage.increment(`ledger:ratelimit:${budget.tracker}`, windowMs, limit, windowMs, policy);
    void reply.header('RateLimit-Policy', `"${policy}";q=${limit};w=${Math.ceil(windowMs / 1000)}`);
    if (!used.isBlocked) {
      void reply.header('RateLimit', `"${policy}";r=${Math.max(0, limit - used.totalHits)};t=${used.timeToExpire}`);
      return;
    }
    const retryAfter = Math.max(1, used.timeToBlockExpire);
    void reply.header('RateLimit', `"${policy}";r=0;t=${retryAfter}`);
    void reply.header('Retry-After', String(retryAfter));
    throw new AppError(
      'RATE_LIMITED',
      policy === 'key'
        ? `This key's rate limit of ${limit} requests per ${windowMs / 1000} s is spent; retry after ${retryAfter} s.`
        : `Too many failed authentications from this address (${limit} per ${windowMs / 1000} s); retry after ${retryAfter} s.`,
    );
  }
}
