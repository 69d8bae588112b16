import { createHash, timingSafeEqual } from 'crypto';
import type { FastifyRequest } from 'fastify';
import { Principal } from '../../common/auth/principal';
import { ApiKeyConfig } from '../../config/api-keys';

export type { Principal };

/** The principal when authentication is off: every request may do everything. */
export const ANONYMOUS_ADMIN: Principal = Object.freeze({ name: 'anonymous', role: 'admin', organizations: null, rateLimit: null });

const BEARER = /^Bearer ([\x21-\x7e]{1,1024})$/i;

/**
 * Matches `Authorization: Bearer <secret>` against the configured SHA-256 hashes. The
 * secret is hashed once and compared with every key in constant time (no early exit), so
 * the timing tells nothing about which key, or how much of one, matched.
 */
export class ApiKeyAuthenticator {
  /** Memo per request: the throttler and the guard both ask. */
  private readonly resolved = new WeakMap<object, Principal | null>();

  constructor(
    private readonly keys: readonly ApiKeyConfig[],
    /** false when auth is off (no keys outside production, or AUTH_DISABLED=true). */
    readonly enabled: boolean,
  ) {}

  /** The principal of a request, or null when the key is missing or wrong. */
  principalOf(request: FastifyRequest): Principal | null {
    if (!this.enabled) return ANONYMOUS_ADMIN;
    const raw = request.raw as object;
    if (this.resolved.has(raw)) return this.resolved.get(raw) ?? null;
    const principal = this.match(request.headers.authorization);
    this.resolved.set(raw, principal);
    return principal;
  }

  match(header: string | string[] | undefined): Principal | null {
    if (typeof header !== 'string') return null;
    const bearer = BEARER.exec(header);
    if (!bearer) return null;
    const digest = createHash('sha256').update(bearer[1], 'utf8').digest();
    let found: ApiKeyConfig | null = null;
    for (const key of this.keys) {
      if (timingSafeEqual(digest, key.hash) && !found) found = key;
    }
    return found ? { name: found.name, role: found.role, organizations: found.organizations, rateLimit: found.rateLimit } : null;
  }
}
