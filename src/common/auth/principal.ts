import type { FastifyRequest } from 'fastify';
import type { RateLimit, Role } from '../../config/api-keys';

/** Who is calling: the configured key that matched (never its secret or hash). */
export interface Principal {
  name: string;
  role: Role;
  /** Organization ids the key may touch; null = every organization. */
  organizations: ReadonlySet<string> | null;
  /** The key's own rate limit; null = none. */
  rateLimit: RateLimit | null;
}

/** The principal the guard admitted, per request (kept off the request object's shape). */
const admitted = new WeakMap<object, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  admitted.set(request.raw, principal);
}

/** The caller of a request the guard admitted; undefined on open routes. */
export function principalOfRequest(request: FastifyRequest): Principal | undefined {
  return admitted.get(request.raw);
}
