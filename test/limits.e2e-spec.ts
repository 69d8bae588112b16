import { request as httpRequest } from 'http';
import { randomUUID } from 'crypto';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { apiKeysEnv, makeKey, withKey } from './support/auth';
import { newAccount, newLedger } from './support/factories';
import { inflowBody, transferBody } from './support/postings';
import { withTableLocked } from './support/table-lock';

// ---------------------------------------------------------------------------------------------
// Rate limiting, request timeout, security headers, CORS, JSON depth, metadata codes, metrics.
// ---------------------------------------------------------------------------------------------

/** GET from a chosen loopback source address (so per-IP limits of other tests are untouched). */
function getFrom(url: string, localAddress: string): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', localAddress }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('rate limiting', () => {
  describe('per API key', () => {
    const suffix = randomUUID().slice(0, 8);
    const k1 = makeKey(`rl-one-${suffix}`, 'write');
    const k2 = makeKey(`rl-two-${suffix}`, 'write');
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ API_KEYS: apiKeysEnv(k1, k2), RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    });
    afterAll(() => t.close());

    it('answers 429 with Retry-After and the error body once a key spends its budget', async () => {
      const api = withKey(t.url, k1);
      for (let i = 0; i < 3; i++) expect((await api.get('/v1/organizations')).status).toBe(200);
      const limited = await api.get('/v1/organizations');
      expectError(limited, 429, '1202');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // The budget is per key across routes, postings included.
      expectError(await api.post('/v1/organizations', { legalName: 'x', legalDocument: '1' }), 429, '1202');
    });

    it('keeps other keys and the health checks unaffected', async () => {
      expect((await withKey(t.url, k2).get('/v1/organizations')).status).toBe(200);
      expect((await withKey(t.url, k1).get('/health')).status).toBe(200);
      expect((await withKey(t.url, k1).get('/health/ready')).status).toBe(200);
    });

    it('sends X-RateLimit headers on allowed requests', async () => {
      const res = await withKey(t.url, k2).get('/v1/organizations');
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(3);
    });
  });

  describe('per client IP without auth', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '1000' });
    });
    afterAll(() => t.close());

    it('limits one address, then lets it through in the next window', async () => {
      const ip = `127.0.${1 + Math.floor(Math.random() * 200)}.${2 + Math.floor(Math.random() * 200)}`;
      const url = `${t.url}/v1/organizations?limit=1`;
      expect((await getFrom(url, ip)).status).toBe(200);
      expect((await getFrom(url, ip)).status).toBe(200);
      const limited = await getFrom(url, ip);
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('1202');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another address has its own budget.
      const other = ip.replace(/\.(\d+)$/, (_, last: string) => `.${Number(last) + 1}`);
      expect((await getFrom(url, other)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1200));
      expect((await getFrom(url, ip)).status).toBe(200);
    });
  });

  describe('with Redis down', () => {
    const key = makeKey(`rl-noredis-${randomUUID().slice(0, 8)}`, 'admin');
    let t: TestApp;
    beforeAll(async () => {
      // Nothing listens on this port: every Redis command fails at once.
      t = await startApp({ API_KEYS: apiKeysEnv(key), REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_MAX: '1' });
    });
    afterAll(() => t.close());

    it('degrades open: requests beyond the limit pass and postings still work', async () => {
      const api = withKey(t.url, key);
      for (let i = 0; i < 5; i++) expect((await api.get('/v1/organizations?limit=1')).status).toBe(200);
      const ctx = await newLedger(api);
      await newAccount(ctx, '@rl-a');
      expect((await api.post(`${ctx.base}/transactions/inflow`, inflowBody('@rl-a', '10'))).status).toBe(201);
    });
  });
});

describe('request timeout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ REQUEST_TIMEOUT_MS: '300', DB_STATEMENT_TIMEOUT_MS: '10000', RATE_LIMIT_MAX: '0' });
  });
  afterAll(() => t.close());

  it('answers 504 with the error body when a handler runs too long, then serves again', async () => {
    await withTableLocked('organizations', async () => {
      const started = Date.now();
      const res = await t.api.get('/v1/organizations');
      expectError(res, 504, '1203');
      expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'title']);
      expect(Date.now() - started).toBeLessThan(3000);
    });
    expect((await t.api.get('/v1/organizations')).status).toBe(200);
  });
});

describe('HTTP hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ RATE_LIMIT_MAX: '0' });
  });
  afterAll(() => t.close());

  it('sends security headers on API answers and errors', async () => {
    for (const path of ['/v1/organizations', '/v1/nothing-here']) {
      const res = await t.api.get(path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('serves Swagger UI under a CSP it complies with (no inline scripts, no upgrade-insecure-requests)', async () => {
    const res = await fetch(`${t.url}/docs`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(res.status).toBe(200);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => !/\ssrc=/.test(s))).toEqual([]);
    for (const src of scripts.map((s) => /src=["']([^"']+)/.exec(s)![1])) {
      expect({ src, status: (await fetch(new URL(src, `${t.url}/docs`))).status }).toEqual({ src, status: 200 });
    }
  });

  it('has CORS off without CORS_ORIGINS', async () => {
    const preflight = await fetch(`${t.url}/v1/organizations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${t.url}/v1/organizations`, { headers: { origin: 'https://app.example.com' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a NUL in the URL', async () => {
    expectError(await t.api.get('/v1/organizations?metadata.a=%00'), 400);
  });

  it('answers an over-long path parameter with the error body, not the path', async () => {
    const res = await t.api.get(`/v1/organizations/${'a'.repeat(300)}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'title']);
    expect(JSON.stringify(res.body)).not.toContain('aaaa');
  });

  describe('JSON nesting (JSON_MAX_DEPTH=32)', () => {
    const nested = (depth: number) => `{"legalName":"x","legalDocument":"1","deep":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

    it('parses a body nested 32 deep (then validates it)', async () => {
      const res = await t.api.request('POST', '/v1/organizations', nested(32));
      expectError(res, 400, '0053');
    });

    it('refuses a body nested 33 deep before parsing it', async () => {
      const res = await t.api.request('POST', '/v1/organizations', nested(33));
      expect(expectError(res, 400, '0094').message).toContain('32');
    });
  });

  describe('metadata limits answer the Midaz codes', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a key over 100 characters', { ['k'.repeat(101)]: 'v' }, '0050'],
      ['a value over 2,000 characters', { k: 'v'.repeat(2001) }, '0051'],
      ['a nested value', { k: { nested: 1 } }, '0067'],
    ];

    it.each(cases)('on onboarding: %s', async (_, metadata, code) => {
      expectError(await t.api.post('/v1/organizations', { legalName: 'x', legalDocument: '1', metadata }), 400, code);
    });

    it.each(cases)('on transactions: %s', async (_, metadata, code) => {
      const ctx = await newLedger(t.api);
      expectError(await t.api.post(`${ctx.base}/transactions/json`, transferBody('@a', '@b', '1', { metadata })), 400, code);
    });
  });

  it('exports HTTP duration by route and status, and pool usage, at /metrics', async () => {
    await t.api.get(`/v1/organizations/${randomUUID()}`);
    const text = (await t.api.get('/metrics')).body as string;
    expect(text).toMatch(/ledger_http_request_duration_seconds_bucket\{[^}]*method="GET",route="\/v1\/organizations\/:organization_id",status="404"/);
    expect(text).toMatch(/ledger_http_request_duration_seconds_count\{method="GET",route="\/v1\/organizations",status="200"\} \d+/);
    const total = /ledger_db_pool_connections\{state="total"\} (\d+)/.exec(text);
    expect(Number(total?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/ledger_db_pool_connections\{state="idle"\} \d+/);
    expect(text).toMatch(/ledger_db_pool_connections\{state="waiting"\} \d+/);
    expect(text).toMatch(/ledger_db_pool_max 10/);
  });
});

describe('CORS with CORS_ORIGINS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ CORS_ORIGINS: 'https://app.example.com, https://ops.example.com', RATE_LIMIT_MAX: '0' });
  });
  afterAll(() => t.close());

  it('allows the listed origins (with the Authorization header) and no other', async () => {
    const preflight = (origin: string) =>
      fetch(`${t.url}/v1/organizations`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const allowed = await preflight('https://ops.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
