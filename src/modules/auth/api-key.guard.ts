import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from '../../common/auth/auth.decorators';
import { AccessPolicy, RouteAccess } from './access-policy';

/** @Public and @RequireRole of a handler or its controller. */
export function routeAccess(reflector: Reflector, context: ExecutionContext): RouteAccess {
  const targets = [context.getHandler(), context.getClass()];
  return {
    public: reflector.getAllAndOverride<RouteAccess['public']>(PUBLIC_ROUTE, targets),
    role: reflector.getAllAndOverride<RouteAccess['role']>(REQUIRED_ROLE, targets),
  };
}

/** The global guard (APP_GUARD): applies the AccessPolicy to every Nest route. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: AccessPolicy,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    this.policy.authorize(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), routeAccess(this.reflector, context));
    return true;
  }
}
