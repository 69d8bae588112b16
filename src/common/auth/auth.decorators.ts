import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { ApiExtension, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Role } from '../../config/api-keys';
import { Env } from '../../config/env.schema';
import { ErrorDto } from '../http/api-errors.decorator';
import { principalOfRequest } from './principal';

export const REQUIRED_ROLE = 'auth:required-role';
export const PUBLIC_ROUTE = 'auth:public';

/** Config flags that can open a route to callers without a key. */
export type PublicFlag = keyof Pick<Env, 'METRICS_PUBLIC' | 'DOCS_PUBLIC'>;

/** What a route declares about access; anything not declared is inferred from the request. */
export interface RouteAccess {
  public?: true | PublicFlag;
  role?: Role;
}

/**
 * Also copies a method's access rules into its Fastify route config (`config.auth`), for the
 * hook that authorizes before Fastify validates a body schema (Nest guards run after that).
 */
function routeConfigAccess(access: RouteAccess): MethodDecorator & ClassDecorator {
  return (_target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (!descriptor) return; // on a controller class: the guard reads it
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, descriptor.value) ?? {}) as { auth?: RouteAccess };
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, auth: { ...config.auth, ...access } }, descriptor.value);
  };
}

/**
 * Overrides the role inferred from the method (GET/HEAD: read, others: write). Documented in
 * the OpenAPI spec as `x-required-role`, which the authorization matrix test reads.
 */
export function RequireRole(role: Role): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    routeConfigAccess({ role }),
    ApiExtension('x-required-role', role),
    ApiResponse({ status: 403, description: `Needs a key with role ${role}`, type: ErrorDto }),
  );
}

/** Only `admin` keys: balance deletion, triggering reconciliation runs. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => RequireRole('admin');

/**
 * A route without a key (and without rate limit): always (`@Public()`, health checks) or when
 * the named config flag is true (`@Public('METRICS_PUBLIC')`; otherwise a read key is needed).
 */
export function Public(flag?: PublicFlag): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(PUBLIC_ROUTE, flag ?? true),
    routeConfigAccess({ public: flag ?? true }),
    // In the spec as x-public: true, or the name of the flag that opens it.
    ApiExtension('x-public', flag ?? true),
  );
}

/**
 * The organizations the caller's key is limited to, or undefined for a key that sees every
 * organization (or when auth is off). Use on routes that list across organizations.
 */
export const KeyOrganizations = createParamDecorator((_: unknown, ctx: ExecutionContext): string[] | undefined => {
  const orgs = principalOfRequest(ctx.switchToHttp().getRequest<FastifyRequest>())?.organizations;
  return orgs ? [...orgs] : undefined;
});
