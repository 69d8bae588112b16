import { createHash, randomBytes } from 'crypto';
import { Api, ApiResponse } from './api';

/** A test API key: the secret clients send and its API_KEYS entry (name:role:sha256[:orgs][:N/s|N/min]). */
export interface TestKey {
  name: string;
  secret: string;
  entry: string;
}

export function sha256hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function makeKey(name: string, role: 'read' | 'write' | 'admin', organizations: string[] = [], rateLimit?: string): TestKey {
  const secret = randomBytes(24).toString('base64url');
  const scope = organizations.length > 0 ? `:${organizations.join('|')}` : '';
  const limit = rateLimit ? `:${rateLimit}` : '';
  return { name, secret, entry: `${name}:${role}:${sha256hex(secret)}${scope}${limit}` };
}

export const apiKeysEnv = (...keys: TestKey[]): string => keys.map((k) => k.entry).join(',');

/** The same client, sending `Authorization: Bearer <secret>` on every request. */
export class KeyedApi extends Api {
  constructor(
    baseUrl: string,
    private readonly authorization: string | undefined,
  ) {
    super(baseUrl);
  }

  override request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const auth: Record<string, string> = this.authorization === undefined ? {} : { authorization: this.authorization };
    return super.request<T>(method, path, body, { ...auth, ...headers });
  }
}

export const withKey = (baseUrl: string, key: TestKey | string | undefined): KeyedApi =>
  new KeyedApi(baseUrl, key === undefined ? undefined : typeof key === 'string' ? key : `Bearer ${key.secret}`);
