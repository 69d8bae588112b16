import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from '../../common/auth/auth.decorators';
import { AccessPolicy, RouteAccess } from './access-policy';

/**
 * What each handler declares, read once per controller class and handler (decorator metadata
 * does not change after boot; one inherited handler may serve classes that declare differently).
 */
const accessByClass = new WeakMap<object, WeakMap<object, RouteAccess>>();

/** @Public and @RequireRole of a handler or its controller. */
export function routeAccess(reflector: Reflector, context: ExecutionContext): RouteAccess {
  const handler = context.getHandler();
  const cls = context.getClass();
  let byHandler = accessByClass.get(cls);
  if (!byHandler) accessByClass.set(cls, (byHandler = new WeakMap()));
  let access = byHandler.get(handler);
  if (!access) {
    const targets = [handler, cls];
    access = Object.freeze({
      public: reflector.getAllAndOverride<RouteAccess['public']>(PUBLIC_ROUTE, targets),
      role: reflector.getAllAndOverride<RouteAccess['role']>(REQUIRED_ROLE, targets),
    });
    byHandler.set(handler, access);
  }
  return access;
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
