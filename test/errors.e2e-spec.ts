import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { withTableLocked } from './support/table-lock';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Things a 5xx body must never reveal: SQL, table names, stack frames, paths, hosts. */
const LEAKS = ['SELECT', 'organizations', 'statement', ' at ', '.ts:', '.js:', '/work', '127.0.0.1'];

interface RawResponse {
  status: number;
  text: string;
  json: any;
}

/**
 * Runs GET /v1/organizations while another session holds an ACCESS EXCLUSIVE lock on the
 * table, so the app's query hits the real Postgres statement timeout (an unexpected error).
 */
async function getOrganizationsWhileLocked(t: TestApp): Promise<RawResponse> {
  return withTableLocked('organizations', async () => {
    const res = await fetch(`${t.url}/v1/organizations`);
    const text = await res.text();
    return { status: res.status, text, json: JSON.parse(text) };
  });
}

function leaksIn(text: string): string[] {
  return LEAKS.filter((needle) => text.includes(needle));
}

// ---------------------------------------------------------------------------------------------
// Specs
// ---------------------------------------------------------------------------------------------

describe('unexpected errors in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ NODE_ENV: 'production', AUTH_DISABLED: 'true', DB_STATEMENT_TIMEOUT_MS: '300' });
  });
  afterAll(() => t.close());

  it('answer a generic 5xx {code, title, message} revealing no SQL, table, stack, path or host', async () => {
    const res = await getOrganizationsWhileLocked(t);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.status).toBeLessThan(600);
    expect(Object.keys(res.json).sort()).toEqual(['code', 'message', 'title']);
    expect(typeof res.json.code).toBe('string');
    expect(typeof res.json.title).toBe('string');
    expect(typeof res.json.message).toBe('string');
    expect(leaksIn(res.text)).toEqual([]);
  });

  it('keep serving once the lock is released', async () => {
    await getOrganizationsWhileLocked(t);
    const res = await t.api.get('/v1/organizations');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.items)).toBe(true);
  });
});

describe('unexpected errors in development', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ NODE_ENV: 'development', DB_STATEMENT_TIMEOUT_MS: '300' });
  });
  afterAll(() => t.close());

  it('include a stack, so the production leak check is able to fail', async () => {
    const res = await getOrganizationsWhileLocked(t);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(typeof res.json.stack).toBe('string');
    expect(res.json.stack.length).toBeGreaterThan(0);
    expect(leaksIn(res.text)).toContain(' at ');
  });
});

describe('X-Request-Id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('echoes a sane given id', async () => {
    const res = await t.api.get('/health', { 'x-request-id': 'req-abc_123.XYZ:9' });
    expect(res.headers.get('x-request-id')).toBe('req-abc_123.XYZ:9');
  });

  it('echoes a given id on an error response too', async () => {
    const res = await t.api.get('/v1/organizations/not-a-uuid', { 'x-request-id': 'err-req-1' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBe('err-req-1');
  });

  it('generates a UUID when none is given', async () => {
    const res = await t.api.get('/health');
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('generates a different id for each request', async () => {
    const a = await t.api.get('/health');
    const b = await t.api.get('/health');
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('replaces an over-long id (300 characters) with a UUID', async () => {
    const res = await t.api.get('/health', { 'x-request-id': 'a'.repeat(300) });
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('replaces an id containing spaces with a UUID', async () => {
    const res = await t.api.get('/health', { 'x-request-id': 'has some spaces' });
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('unknown routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('answer 404 with the JSON error shape', async () => {
    const res = await t.api.get('/v1/nothing-here');
    expectError(res, 404, '1004');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answer 404 with the JSON error shape for an unknown method on a known path', async () => {
    const res = await t.api.request('PUT', '/v1/organizations', { a: 1 });
    expectError(res, 404);
  });
});
