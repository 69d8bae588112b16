import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RouteAccess } from '../../common/auth/auth.decorators';
import { Principal, setPrincipal } from '../../common/auth/principal';
import { AppError } from '../../common/errors/app-error';
import { Role, roleAtLeast } from '../../config/api-keys';
import { AppConfig } from '../../config/app-config';
import { ApiKeyAuthenticator } from './api-key.authenticator';

export type { RouteAccess };

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes that trigger reconciliation runs need admin even if their module does not say so. */
const ADMIN_PATH = /^\/v1\/reconciliation(\/|$)/;

/** Routes without an organization in the path that a key limited to organizations may use. */
const SCOPED_GLOBAL_ROUTES = new Set(['GET /v1/organizations', 'HEAD /v1/organizations', 'HEAD /v1/organizations/metrics/count']);

/**
 * Who may call what: `Authorization: Bearer <secret>` -> a configured key (401 if missing or
 * wrong), a role strong enough for the route (403: declared, else GET/HEAD read, others
 * write, POST /v1/reconciliation/* admin), and for keys limited to some organizations the
 * path's organization inside that scope (404 otherwise, the same answer whether or not the
 * organization exists). Used by the global guard and, where Fastify validates a body
 * schema before guards run, by a preValidation hook.
 */
@Injectable()
export class AccessPolicy {
  constructor(
    private readonly config: AppConfig,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  isOpen(access: RouteAccess): boolean {
    return access.public === true || (typeof access.public === 'string' && this.config.get(access.public) === true);
  }

  /** Throws the AppError to answer, or records the admitted principal on the request. */
  authorize(request: FastifyRequest, reply: FastifyReply, access: RouteAccess): void {
    if (this.isOpen(access)) return;
    const principal = this.authenticator.principalOf(request);
    if (!principal) {
      void reply.header('WWW-Authenticate', 'Bearer');
      throw new AppError('UNAUTHORIZED', 'A valid API key is required: Authorization: Bearer <key>.');
    }
    const needed = access.role ?? this.inferredRole(request);
    if (!roleAtLeast(principal.role, needed)) {
      throw new AppError('FORBIDDEN', `This route needs a key with role ${needed}; this key has role ${principal.role}.`);
    }
    if (principal.organizations) this.assertInScope(principal.organizations, request);
    setPrincipal(request, principal);
  }

  private inferredRole(request: FastifyRequest): Role {
    if (READ_METHODS.has(request.method)) return 'read';
    return ADMIN_PATH.test(request.routeOptions.url ?? request.url) ? 'admin' : 'write';
  }

  private assertInScope(organizations: NonNullable<Principal['organizations']>, request: FastifyRequest): void {
    const inScope = (org: unknown) => typeof org === 'string' && organizations.has(org.toLowerCase());
    const org = ((request.params ?? {}) as Record<string, unknown>).organization_id;
    if (org === undefined) {
      // Routes across organizations: only listing its own, or reading one it names in ?organization_id=.
      const queryOrg = ((request.query ?? {}) as Record<string, unknown>).organization_id;
      if (queryOrg !== undefined && !inScope(queryOrg)) throw AppError.notFound('Organization');
      const route = request.routeOptions.url ?? '';
      const readsOwnOrganization = queryOrg !== undefined && READ_METHODS.has(request.method);
      if (route.startsWith('/v1/') && !SCOPED_GLOBAL_ROUTES.has(`${request.method} ${route}`) && !readsOwnOrganization) {
        throw new AppError('FORBIDDEN', 'This key is limited to some organizations and cannot use this route across them.');
      }
    } else if (!inScope(org)) {
      throw AppError.notFound('Organization');
    }
    // A parent organization named in the body must be in scope too (same answer as an unknown one).
    const parent = (request.body as { parentOrganizationId?: unknown } | undefined)?.parentOrganizationId;
    if (typeof parent === 'string' && !organizations.has(parent.toLowerCase())) {
      throw new AppError('PARENT_NOT_FOUND', 'The parent organization does not exist.', { entityType: 'Organization' });
    }
  }
}
