import { startApp, TestApp } from './support/app';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const ORG = '/v1/organizations/{organization_id}';
const LEDGER = `${ORG}/ledgers/{ledger_id}`;

/** Every onboarding and balance route, as "method path" in OpenAPI form. */
const EXPECTED_OPERATIONS = [
  'post /v1/organizations',
  'get /v1/organizations',
  'head /v1/organizations/metrics/count',
  `get ${ORG}`,
  `patch ${ORG}`,
  `delete ${ORG}`,
  `post ${ORG}/ledgers`,
  `get ${ORG}/ledgers`,
  `head ${ORG}/ledgers/metrics/count`,
  `get ${LEDGER}`,
  `patch ${LEDGER}`,
  `delete ${LEDGER}`,
  ...['assets', 'accounts', 'portfolios', 'segments'].flatMap((p) => [
    `post ${LEDGER}/${p}`,
    `get ${LEDGER}/${p}`,
    `head ${LEDGER}/${p}/metrics/count`,
    `get ${LEDGER}/${p}/{id}`,
    `patch ${LEDGER}/${p}/{id}`,
    `delete ${LEDGER}/${p}/{id}`,
  ]),
  `get ${LEDGER}/accounts/alias/{alias}`,
  `get ${LEDGER}/accounts/external/{code}`,
  `get ${LEDGER}/balances`,
  `get ${LEDGER}/balances/{balance_id}`,
  `get ${LEDGER}/balances/{balance_id}/history`,
  `patch ${LEDGER}/balances/{balance_id}`,
  `delete ${LEDGER}/balances/{balance_id}`,
  `get ${LEDGER}/accounts/{account_id}/balances`,
  `get ${LEDGER}/accounts/alias/{alias}/balances`,
  `get ${LEDGER}/accounts/external/{code}/balances`,
];

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function operationsOf(doc: { paths: Record<string, Record<string, any>> }): Array<{ key: string; op: any }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, op]) => ({ key: `${method} ${path}`, op })),
  );
}

// ---------------------------------------------------------------------------------------------
// Specs
// ---------------------------------------------------------------------------------------------

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

describe('health and version', () => {
  it('GET /health answers 200 {status: ok}', async () => {
    const res = await t.api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /health/ready answers 200 with postgres up', async () => {
    const res = await t.api.get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.postgres).toEqual({ status: 'up' });
    expect(res.body.info.redis.status).toBe('up');
  });

  it('GET /version answers the package name and version', async () => {
    const res = await t.api.get('/version');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('ledger-service');
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.body.node).toBe(process.version);
  });
});

describe('API documentation', () => {
  it('GET /docs answers the Swagger UI as HTML', async () => {
    const res = await fetch(`${t.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/swagger-ui/i);
  });

  describe('GET /docs-json', () => {
    let doc: any;
    beforeAll(async () => {
      const res = await t.api.get('/docs-json');
      expect(res.status).toBe(200);
      doc = res.body;
    });

    it('is an OpenAPI 3 document', () => {
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBeTruthy();
    });

    it('lists the alias lookup, external lookup and balance-by-alias paths', () => {
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/organizations/{organization_id}/ledgers/{ledger_id}/accounts/alias/{alias}',
          '/v1/organizations/{organization_id}/ledgers/{ledger_id}/accounts/external/{code}',
          '/v1/organizations/{organization_id}/ledgers/{ledger_id}/accounts/alias/{alias}/balances',
          '/v1/organizations/{organization_id}/ledgers/{ledger_id}/balances/{balance_id}',
        ]),
      );
    });

    it('tags routes by resource: health and metrics are not among the ledger operations', () => {
      const tagsOf = (path: string) => doc.paths[path]?.get?.tags;
      expect(tagsOf('/health')).toEqual(['Health']);
      expect(tagsOf('/health/ready')).toEqual(['Health']);
      expect(tagsOf('/version')).toEqual(['Health']);
      expect(tagsOf('/metrics')).toEqual(['Metrics']);
      const taggedOperations = Object.keys(doc.paths).filter((p) =>
        Object.values(doc.paths[p]).some((op: any) => op.tags?.includes('Operations')),
      );
      expect(taggedOperations.length).toBeGreaterThan(0);
      expect(taggedOperations.every((p) => p.includes('/operations'))).toBe(true);
    });

    it('lists the HEAD count routes', () => {
      expect(doc.paths['/v1/organizations/metrics/count']?.head).toBeDefined();
      expect(doc.paths['/v1/organizations/{organization_id}/ledgers/metrics/count']?.head).toBeDefined();
      expect(doc.paths['/v1/organizations/{organization_id}/ledgers/{ledger_id}/accounts/metrics/count']?.head).toBeDefined();
    });

    it('lists every onboarding and balance operation', () => {
      const listed = operationsOf(doc).map((o) => o.key);
      const missing = EXPECTED_OPERATIONS.filter((k) => !listed.includes(k));
      expect(missing).toEqual([]);
    });

    it('gives every operation a summary', () => {
      const withoutSummary = operationsOf(doc)
        .filter(({ op }) => typeof op.summary !== 'string' || op.summary.trim() === '')
        .map((o) => o.key);
      expect(withoutSummary).toEqual([]);
    });

    it('documents the path parameters of every templated path', () => {
      const undocumented: string[] = [];
      for (const { key, op } of operationsOf(doc)) {
        const names = [...key.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const documented = new Set((op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name));
        for (const n of names) if (!documented.has(n)) undocumented.push(`${key} {${n}}`);
      }
      expect(undocumented).toEqual([]);
    });
  });
});
