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
function getFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', localAddress, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A loopback source address of this test's own (per-address counters of other tests are untouched). */
const freshLoopback = () => `127.0.${1 + Math.floor(Math.random() * 200)}.${2 + Math.floor(Math.random() * 200)}`;

describe('rate limiting', () => {
  describe('per API key, opt-in', () => {
    const suffix = randomUUID().slice(0, 8);
    const limited = makeKey(`rl-one-${suffix}`, 'write', [], '3/min');
    const free = makeKey(`rl-two-${suffix}`, 'write');
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ API_KEYS: apiKeysEnv(limited, free) });
    });
    afterAll(() => t.close());

    it('answers 429 with Retry-After and the RateLimit fields once a limited key spends its budget', async () => {
      const api = withKey(t.url, limited);
      for (let i = 0; i < 3; i++) {
        const ok = await api.get('/v1/organizations');
        expect(ok.status).toBe(200);
        expect(ok.headers.get('ratelimit-policy')).toBe('"key";q=3;w=60');
        expect(ok.headers.get('ratelimit')).toMatch(new RegExp(`^"key";r=${2 - i};t=\\d+$`));
      }
      const refused = await api.get('/v1/organizations');
      expectError(refused, 429, '1202');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.get('ratelimit')).toBe(`"key";r=0;t=${retryAfter}`);
      // The budget is per key across routes, postings included.
      expectError(await api.post('/v1/organizations', { legalName: 'x', legalDocument: '1' }), 429, '1202');
    });

    it('never limits a key without a limit of its own, however busy', async () => {
      const api = withKey(t.url, free);
      const answers = await Promise.all(Array.from({ length: 1500 }, () => api.head('/v1/organizations/metrics/count')));
      expect(answers.filter((r) => r.status !== 204)).toEqual([]);
      expect(answers.some((r) => r.headers.has('ratelimit') || r.headers.has('x-ratelimit-limit'))).toBe(false);
    });

    it('keeps the health checks open to a spent key', async () => {
      expect((await withKey(t.url, limited).get('/health')).status).toBe(200);
      expect((await withKey(t.url, limited).get('/health/ready')).status).toBe(200);
    });
  });

  describe('failed authentication, per client address', () => {
    const key = makeKey(`rl-auth-${randomUUID().slice(0, 8)}`, 'read');
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ API_KEYS: apiKeysEnv(key), AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: '60000' });
    });
    afterAll(() => t.close());

    it('answers 429 after the limit of wrong keys, never refuses a valid key from that address', async () => {
      const ip = freshLoopback();
      const url = `${t.url}/v1/organizations?limit=1`;
      const wrong = { authorization: 'Bearer not-a-key' };
      for (let i = 0; i < 3; i++) expect((await getFrom(url, ip, wrong)).status).toBe(401);
      const refused = await getFrom(url, ip, wrong);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('1202');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['ratelimit-policy']).toBe('"auth-failures";q=3;w=60');
      expect((await getFrom(url, ip, {})).status).toBe(429);
      // The valid key from the same address, and wrong keys from another, are unaffected.
      expect((await getFrom(url, ip, { authorization: `Bearer ${key.secret}` })).status).toBe(200);
      expect((await getFrom(url, freshLoopback(), wrong)).status).toBe(401);
    });
  });

  describe('with Redis down', () => {
    const key = makeKey(`rl-noredis-${randomUUID().slice(0, 8)}`, 'admin', [], '1/min');
    let t: TestApp;
    beforeAll(async () => {
      // Nothing listens on this port: every Redis command fails at once.
      t = await startApp({ API_KEYS: apiKeysEnv(key), REDIS_URL: 'redis://127.0.0.1:1' });
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
    t = await startApp({ REQUEST_TIMEOUT_MS: '300', DB_STATEMENT_TIMEOUT_MS: '10000' });
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
    t = await startApp();
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
    t = await startApp({ CORS_ORIGINS: 'https://app.example.com, https://ops.example.com' });
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
