import { randomUUID } from 'crypto';
import { createApp } from '../src/app.factory';
import { EnvValidationError, validateEnv } from '../src/config/env.schema';
import { ApiResponse } from './support/api';
import { startApp, TestApp } from './support/app';
import { apiKeysEnv, KeyedApi, makeKey, sha256hex, withKey } from './support/auth';
import { newAccount, newLedger, newOrganization } from './support/factories';
import { testEnv } from './support/test-env';

// ---------------------------------------------------------------------------------------------
// The authorization matrix: every route of the OpenAPI spec (so new routes are covered without
// touching this file) with no key, wrong keys, read, write and admin keys, and an admin key
// limited to another organization.
// ---------------------------------------------------------------------------------------------

type Role = 'read' | 'write' | 'admin';

interface Route {
  method: string;
  path: string;
  /** x-required-role from the spec, else inferred like the guard: GET/HEAD read, others write. */
  role: Role;
  /** x-public: true in the spec (@Public()); flag-opened routes are closed in this app. */
  open: boolean;
}

/** Always open, whatever the configuration (issue 7). */
const ALWAYS_OPEN = ['GET /health', 'GET /health/ready'];
const READ_METHODS = new Set(['GET', 'HEAD']);

function routesOf(spec: any): Route[] {
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries<any>(spec.paths)) {
    for (const [m, op] of Object.entries<any>(ops)) {
      const method = m.toUpperCase();
      if (!['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method)) continue;
      const inferred: Role = READ_METHODS.has(method) ? 'read' : /^\/v1\/reconciliation(\/|$)/.test(path) ? 'admin' : 'write';
      routes.push({ method, path, role: op['x-required-role'] ?? inferred, open: op['x-public'] === true });
    }
  }
  return routes;
}

const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };
const isAuthStatus = (s: number) => s === 401 || s === 403;

describe('authorization matrix', () => {
  const reader = makeKey('matrix-read', 'read');
  const writer = makeKey('matrix-write', 'write');
  const admin = makeKey('matrix-admin', 'admin');
  let orgA: string;
  let ledgerA: string;
  let orgB: string;
  let other: ReturnType<typeof makeKey>;
  let scopedA: ReturnType<typeof makeKey>;
  let t: TestApp;
  let routes: Route[];
  let spec: any;

  beforeAll(async () => {
    // Organizations must exist before a key can be limited to them: seed with auth off.
    const seed = await startApp();
    try {
      const ctx = await newLedger(seed.api);
      await newAccount(ctx, '@matrix-alice');
      orgA = ctx.org;
      ledgerA = ctx.ledger;
      orgB = await newOrganization(seed.api);
    } finally {
      await seed.close();
    }
    other = makeKey('matrix-other', 'admin', [orgB]);
    scopedA = makeKey('matrix-scoped', 'write', [orgA]);
    t = await startApp({
      API_KEYS: apiKeysEnv(reader, writer, admin, other, scopedA),
      METRICS_PUBLIC: 'false',
      DOCS_PUBLIC: 'false',
    });
    const res = await withKey(t.url, reader).get('/docs-json');
    expect(res.status).toBe(200);
    spec = res.body;
    routes = routesOf(spec);
  });
  afterAll(() => t?.close());

  const as = (key: ReturnType<typeof makeKey> | string | undefined): KeyedApi => withKey(t.url, key);

  /** A fresh organization (or ledger of orgA) for DELETE routes, so the matrix never deletes orgA. */
  async function victim(path: string): Promise<Record<string, string>> {
    const api = as(admin);
    if (/\{organization_id\}$/.test(path)) return { organization_id: await newOrganization(api) };
    if (/\{ledger_id\}$/.test(path)) {
      const res = await api.post(`/v1/organizations/${orgA}/ledgers`, { name: `victim ${randomUUID()}` });
      return { ledger_id: res.body.id };
    }
    return {};
  }

  async function call(route: Route, key: ReturnType<typeof makeKey> | string | undefined, destructive = false): Promise<ApiResponse> {
    const values: Record<string, string> = {
      organization_id: orgA,
      ledger_id: ledgerA,
      alias: '@matrix-nobody',
      code: 'USD',
      ...(destructive && route.method === 'DELETE' ? await victim(route.path) : {}),
    };
    const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? randomUUID()));
    const body = ['POST', 'PATCH', 'PUT'].includes(route.method) ? {} : undefined;
    return as(key).request(route.method, path, body);
  }

  /** Walks every route; returns one line per route whose answer breaks `expectation`. */
  async function walk(
    key: ReturnType<typeof makeKey> | string | undefined,
    expectation: (route: Route, res: ApiResponse) => string | null,
    destructive = false,
  ): Promise<string[]> {
    const problems: string[] = [];
    for (const route of routes) {
      const res = await call(route, key, destructive);
      const problem = expectation(route, res);
      if (problem) problems.push(`${route.method} ${route.path}: ${problem} (got ${res.status} ${JSON.stringify(res.body)?.slice(0, 120)})`);
    }
    return problems;
  }

  /** Open routes answer; others 401 with our body and a Bearer challenge. */
  const expectUnauthorized = (route: Route, res: ApiResponse): string | null => {
    if (route.open) return isAuthStatus(res.status) ? 'open route should not ask for a key' : null;
    if (res.status !== 401) return 'expected 401';
    if (res.headers.get('www-authenticate') !== 'Bearer') return 'expected WWW-Authenticate: Bearer';
    if (route.method !== 'HEAD' && res.body?.code !== '1200') return 'expected code 1200';
    return null;
  };

  /**
   * A 5xx that is a fault. GET /v1/reconciliation/status answers 503 (code 1102) by design while
   * the latest run is CRITICAL, which another test file's deliberate corruption may have left.
   */
  const isServerFault = (res: ApiResponse): boolean => res.status >= 500 && !(res.status === 503 && res.body?.code === '1102');

  /** Allowed (any answer but 401/403, never 5xx) when the key's role suffices; else 403 code 1201. */
  const expectRole =
    (role: Role) =>
    (route: Route, res: ApiResponse): string | null => {
      if (isServerFault(res)) return 'unexpected 5xx';
      if (route.open || RANK[role] >= RANK[route.role]) return isAuthStatus(res.status) ? `role ${role} should pass (needs ${route.role})` : null;
      if (res.status !== 403) return `expected 403 (needs ${route.role})`;
      if (route.method !== 'HEAD' && res.body?.code !== '1201') return 'expected code 1201';
      return null;
    };

  it('covers the routes of every module (read from /docs-json)', () => {
    expect(routes.length).toBeGreaterThan(40);
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /health', 'POST /v1/organizations', 'DELETE /v1/organizations/{organization_id}/ledgers/{ledger_id}/balances/{balance_id}']));
    expect(routes.find((r) => r.method === 'DELETE' && r.path.endsWith('/balances/{balance_id}'))?.role).toBe('admin');
    expect(routes.filter((r) => r.open).map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(ALWAYS_OPEN));
    expect(spec.paths['/metrics'].get['x-public']).toBe('METRICS_PUBLIC');
  });

  it('documents bearer auth for every route in the spec', () => {
    expect(spec.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.security).toEqual([{ bearer: [] }]);
    const overridden = routes.filter((r) => spec.paths[r.path][r.method.toLowerCase()].security?.length === 0);
    expect(overridden).toEqual([]);
  });

  it('without a key: 401 on every route except /health and /health/ready', async () => {
    expect(await walk(undefined, expectUnauthorized)).toEqual([]);
  });

  it('with an unknown key: 401 on every route except the health checks', async () => {
    expect(await walk('Bearer not-a-configured-key', expectUnauthorized)).toEqual([]);
  });

  it('with the configured hash instead of the secret: 401 everywhere', async () => {
    expect(await walk(`Bearer ${sha256hex(admin.secret)}`, expectUnauthorized)).toEqual([]);
  });

  it('with a valid secret in another scheme (Basic) or without a scheme: 401 everywhere', async () => {
    expect(await walk(`Basic ${admin.secret}`, expectUnauthorized)).toEqual([]);
    expect(await walk(admin.secret, expectUnauthorized)).toEqual([]);
  });

  it('with a read key: reads pass, writes and admin routes are 403', async () => {
    expect(await walk(reader, expectRole('read'))).toEqual([]);
  });

  it('with a write key: reads and writes pass, admin routes are 403', async () => {
    expect(await walk(writer, expectRole('write'), true)).toEqual([]);
  });

  it('with an admin key: every route passes', async () => {
    expect(await walk(admin, expectRole('admin'), true)).toEqual([]);
  });

  it('with an admin key of another organization: 404 on every route of this one, like an unknown organization', async () => {
    const unknown = await as(admin).get(`/v1/organizations/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    const problems = await walk(other, (route, res) => {
      if (isServerFault(res)) return 'unexpected 5xx';
      if (route.open) return isAuthStatus(res.status) ? 'open route should not ask for a key' : null;
      if (route.path.includes('{organization_id}')) {
        if (res.status !== 404) return 'expected 404';
        if (route.method !== 'HEAD' && JSON.stringify(res.body) !== JSON.stringify(unknown.body)) return 'expected the body of an unknown organization';
        return null;
      }
      if (['GET /v1/organizations', 'HEAD /v1/organizations/metrics/count'].includes(`${route.method} ${route.path}`)) {
        return res.status >= 200 && res.status < 300 ? null : 'expected 2xx';
      }
      if (route.path.startsWith('/v1/')) return res.status === 403 ? null : 'expected 403 (route across organizations)';
      return isAuthStatus(res.status) ? 'expected to pass' : null;
    });
    expect(problems).toEqual([]);
  });

  it('every key of this organization reads it: 200 on its organization, ledger and balances', async () => {
    for (const key of [reader, writer, admin, scopedA]) {
      for (const path of [`/v1/organizations/${orgA}`, `/v1/organizations/${orgA}/ledgers/${ledgerA}`, `/v1/organizations/${orgA}/ledgers/${ledgerA}/balances`]) {
        expect({ key: key.name, path, status: (await as(key).get(path)).status }).toEqual({ key: key.name, path, status: 200 });
      }
    }
  });

  describe('a key limited to one organization', () => {
    it('lists and counts only its organization', async () => {
      const mine = await as(scopedA).get('/v1/organizations?limit=100');
      expect(mine.status).toBe(200);
      expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([orgA]);
      const count = await as(scopedA).head('/v1/organizations/metrics/count');
      expect(count.status).toBe(204);
      expect(count.headers.get('x-total-count')).toBe('1');
      expect((await as(scopedA).head('/v1/organizations')).status).toBe(200);

      const all = await as(admin).get('/v1/organizations?limit=100');
      expect(all.body.items.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([orgA, orgB]));
    });

    it('cannot create an organization: 403', async () => {
      const res = await as(scopedA).post('/v1/organizations', { legalName: 'Sneaky', legalDocument: '1' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('1201');
    });

    it('works inside its organization and gets 404 outside it', async () => {
      expect((await as(scopedA).post(`/v1/organizations/${orgA}/ledgers`, { name: `scoped ${randomUUID()}` })).status).toBe(201);
      const outside = await as(scopedA).post(`/v1/organizations/${orgB}/ledgers`, { name: `scoped ${randomUUID()}` });
      expect(outside.status).toBe(404);
      expect(outside.body.code).toBe('0007');
    });

    it('cannot name a parent organization outside its scope (same 404 as an unknown parent)', async () => {
      const foreign = await as(scopedA).patch(`/v1/organizations/${orgA}`, { parentOrganizationId: orgB });
      const unknown = await as(admin).patch(`/v1/organizations/${orgA}`, { parentOrganizationId: randomUUID() });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(unknown.body);
      expect((await as(admin).get(`/v1/organizations/${orgA}`)).body.parentOrganizationId).toBeNull();
    });

    it('reads reconciliation reports of its organization only when it names it in ?organization_id=', async () => {
      const reports = routes.find((r) => r.method === 'GET' && r.path === '/v1/reconciliation/reports');
      if (!reports) return; // no reconciliation module in this build
      expect((await as(scopedA).get(`/v1/reconciliation/reports?organization_id=${orgA}`)).status).toBe(200);
      expect((await as(scopedA).get('/v1/reconciliation/reports')).status).toBe(403);
      const foreign = await as(scopedA).get(`/v1/reconciliation/reports?organization_id=${orgB}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('0007');
    });

    it('treats the organization id of the path case-insensitively', async () => {
      expect((await as(scopedA).get(`/v1/organizations/${orgA.toUpperCase()}`)).status).toBe(200);
    });
  });

  describe('/docs and /metrics with DOCS_PUBLIC=false and METRICS_PUBLIC=false', () => {
    it.each(['/docs', '/docs-json', '/docs/swagger-ui-init.js', '/metrics'])('%s needs a key', async (path) => {
      const res = await as(undefined).get(path);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('1200');
      expect((await as(reader).get(path)).status).toBe(200);
    });

    it.each(['/docs-json?x=1', '/docs-yaml?x', '/docs%2Djson', '/docs/?a=b'])('%s (query or encoding) still needs a key', async (path) => {
      expect((await as(undefined).get(path)).status).not.toBe(200);
    });
  });

  it('accepts the scheme in any case ("bearer")', async () => {
    expect((await as(`bearer ${reader.secret}`).get('/v1/organizations')).status).toBe(200);
  });
});

describe('authentication configuration', () => {
  it('open /docs and /metrics by default even with keys', async () => {
    const t = await startApp({ API_KEYS: apiKeysEnv(makeKey('k', 'read')) });
    try {
      expect((await t.api.get('/docs-json')).status).toBe(200);
      expect((await t.api.get('/metrics')).status).toBe(200);
      expect((await t.api.get('/v1/organizations')).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('production refuses to boot without API_KEYS', async () => {
    await expect(createApp(testEnv({ NODE_ENV: 'production' }))).rejects.toThrow(/API_KEYS.*AUTH_DISABLED/);
  });

  it('production boots with AUTH_DISABLED=true, every route open', async () => {
    const t = await startApp({ NODE_ENV: 'production', AUTH_DISABLED: 'true' });
    try {
      expect((await t.api.get('/v1/organizations')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('development without keys serves every route without a key', async () => {
    const t = await startApp({ NODE_ENV: 'development' });
    try {
      expect((await t.api.get('/v1/organizations')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it.each([
    ['an unknown role', 'k:superuser:' + 'a'.repeat(64)],
    ['a short hash', 'k:read:abc'],
    ['a bad scope', `k:read:${'a'.repeat(64)}:not-a-uuid`],
    ['a duplicate name', `k:read:${'a'.repeat(64)},k:write:${'b'.repeat(64)}`],
  ])('refuses API_KEYS with %s, naming API_KEYS but not the hash', (_, value) => {
    let error: unknown;
    try {
      validateEnv({ API_KEYS: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvValidationError);
    expect((error as Error).message).toContain('API_KEYS');
    expect((error as Error).message).not.toContain('a'.repeat(64));
  });
});
