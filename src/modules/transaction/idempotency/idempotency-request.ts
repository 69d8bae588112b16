import { createHash } from 'crypto';
import { AppError } from '../../../common/errors/app-error';

/** What a request asks of idempotency: its key, its hash and how long the key is kept. */
export interface IdempotencyRequest {
  key: string;
  /** SHA-256 of the route and canonical body. */
  hash: string;
  ttlSeconds: number;
}

const KEY = /^[\x21-\x7e]{1,255}$/;
const TTL = /^[1-9][0-9]{0,6}$/;
const MAX_TTL = 2_592_000;

/** JSON with object keys sorted, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(route).update('\n').update(canonical(body)).digest('hex');
}

/**
 * Reads X-Idempotency and X-TTL (G6): a key is 1-255 visible ASCII characters, a TTL a whole
 * number of seconds from 1 to 2,592,000. No key means no deduplication.
 */
export function idempotencyFrom(
  headers: Record<string, string | string[] | undefined>,
  route: string,
  body: unknown,
  defaultTtl: number,
): IdempotencyRequest | undefined {
  const key = headers['x-idempotency'];
  const ttl = headers['x-ttl'];
  if (key === undefined) {
    if (ttl !== undefined) throw new AppError('INVALID_IDEMPOTENCY', 'X-TTL is only meaningful with X-Idempotency.');
    return undefined;
  }
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new AppError('INVALID_IDEMPOTENCY', 'X-Idempotency must be 1-255 visible ASCII characters.', {
      fields: { 'X-Idempotency': '1-255 visible ASCII characters' },
    });
  }
  let ttlSeconds = defaultTtl;
  if (ttl !== undefined) {
    if (typeof ttl !== 'string' || !TTL.test(ttl) || Number(ttl) > MAX_TTL) {
      throw new AppError('INVALID_IDEMPOTENCY', `X-TTL must be a whole number of seconds from 1 to ${MAX_TTL}.`, {
        fields: { 'X-TTL': `1-${MAX_TTL}` },
      });
    }
    ttlSeconds = Number(ttl);
  }
  return { key, ttlSeconds, hash: requestHash(route, body) };
}
