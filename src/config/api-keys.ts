/**
 * API_KEYS (DESIGN section 6): comma-separated `name:role:sha256hex[:orgId|orgId][:N/s|N/min]`.
 * The last, optional, field is the key's own rate limit (none by default: limits are opt-in).
 * Only SHA-256 hashes of the secrets are configured; clients send the secret itself as
 * `Authorization: Bearer <secret>`. Parsed here so a malformed list stops the boot (the env
 * schema calls parseApiKeys) and the auth module reads the same structure.
 */

export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyConfig {
  name: string;
  role: Role;
  /** SHA-256 of the secret, 32 bytes. */
  hash: Buffer;
  /** Organization ids (lower case) the key may touch; null = every organization. */
  organizations: ReadonlySet<string> | null;
  /** Requests allowed per window for this key; null = no limit. */
  rateLimit: RateLimit | null;
}

export interface RateLimit {
  limit: number;
  windowMs: number;
}

const RATE = /^([1-9][0-9]{0,8})\/(s|min)$/;
const WINDOW_MS: Record<string, number> = { s: 1000, min: 60_000 };

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const HASH = /^[0-9a-fA-F]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ApiKeysError extends Error {}

/**
 * Parses API_KEYS. Error messages name the entry by position and name only, never the hash.
 * Empty entries (a trailing comma, spaces) are ignored.
 */
export function parseApiKeys(raw: string | undefined): ApiKeyConfig[] {
  const keys: ApiKeyConfig[] = [];
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const at = `entry ${i + 1}`;
    const parts = entry.split(':');
    const rate = parts.length > 3 ? RATE.exec(parts[parts.length - 1]) : null;
    if (rate) parts.pop();
    if (parts.length < 3 || parts.length > 4) throw new ApiKeysError(`${at} must be name:role:sha256hex[:orgId|orgId][:N/s|N/min]`);
    const [name, role, hash, scope] = parts;
    if (!NAME.test(name)) throw new ApiKeysError(`${at}: the name must be 1-64 letters, digits, _ . or -`);
    if (!(ROLES as readonly string[]).includes(role)) throw new ApiKeysError(`${at} (${name}): the role must be read, write or admin`);
    if (!HASH.test(hash)) throw new ApiKeysError(`${at} (${name}): the hash must be 64 hex digits (sha256sum of the secret)`);
    let organizations: Set<string> | null = null;
    if (scope !== undefined) {
      const ids = scope.split('|').map((s) => s.trim());
      if (ids.length === 0 || ids.some((id) => !UUID.test(id))) {
        throw new ApiKeysError(`${at} (${name}): the scope must be organization UUIDs separated by |, the rate limit N/s or N/min`);
      }
      organizations = new Set(ids.map((id) => id.toLowerCase()));
    }
    if (keys.some((k) => k.name === name)) throw new ApiKeysError(`${at}: the name ${name} is used twice`);
    const digest = Buffer.from(hash, 'hex');
    if (keys.some((k) => k.hash.equals(digest))) throw new ApiKeysError(`${at} (${name}): the same secret is configured twice`);
    const rateLimit = rate ? { limit: Number(rate[1]), windowMs: WINDOW_MS[rate[2]] } : null;
    keys.push({ name, role: role as Role, hash: digest, organizations, rateLimit });
  });
  return keys;
}

const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };

/** admin > write > read. */
export function roleAtLeast(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}
