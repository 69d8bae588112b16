import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { balanceOf, fund, transferBody } from './support/postings';
import { TcpProxy } from './support/tcp-proxy';
import { TEST_DATABASE_URL } from './support/test-env';

// ---------------------------------------------------------------------------------------------
// Postgres goes away (a proxy in front of it is cut) and comes back: requests get a generic
// 503 with Retry-After at once, readiness fails within 2 s, and the service recovers without a
// restart (readiness back within 2 s).
// ---------------------------------------------------------------------------------------------

interface Raw {
  status: number;
  headers: Headers;
  text: string;
  json: any;
  ms: number;
}

async function raw(url: string, init: RequestInit = {}): Promise<Raw> {
  const started = Date.now();
  const res = await fetch(url, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, ms: Date.now() - started };
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

describe('Postgres outage', () => {
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  let t: TestApp;
  let ctx: LedgerCtx;
  /** What no 503 body may contain: stack frames, SQL, driver errors, host, ports, paths. */
  let leaks: string[];

  beforeAll(async () => {
    await proxy.start();
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(proxy.port);
    t = await startApp({
      NODE_ENV: 'production',
      AUTH_DISABLED: 'true',
      DATABASE_URL: viaProxy.toString(),
      DB_POOL_SIZE: '4',
    });
    ctx = await newLedger(t.api);
    await newAccount(ctx, '@out-a');
    await newAccount(ctx, '@out-b');
    await fund(ctx, '@out-a', '100');
    leaks = [' at ', '.ts:', '.js:', '/work', 'node_modules', 'SELECT', 'INSERT', 'ECONN', 'Connection terminated', target.hostname, String(proxy.port), target.port || '5432', 'postgres'];
  });

  afterAll(async () => {
    await t?.close();
    await proxy.stop();
  });

  const requests = (): Array<[string, string, RequestInit]> => [
    ['list organizations', '/v1/organizations', {}],
    ['get a ledger', `/v1/organizations/${ctx.org}/ledgers/${ctx.ledger}`, {}],
    ['list transactions', `${ctx.base}/transactions`, {}],
    [
      'post a transfer',
      `${ctx.base}/transactions/json`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(transferBody('@out-a', '@out-b', '5')) },
    ],
    [
      'create an account',
      `${ctx.base}/accounts`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assetCode: 'USD', type: 'deposit', alias: '@out-c' }) },
    ],
  ];

  it('serves normally through the proxy', async () => {
    expect((await raw(`${t.url}/health/ready`)).status).toBe(200);
    expect((await raw(`${t.url}/v1/organizations`)).status).toBe(200);
  });

  describe('while Postgres is unreachable', () => {
    let readyFailedAfterMs = Infinity;
    beforeAll(async () => {
      await proxy.cut();
      const cutAt = Date.now();
      if (await eventually(async () => (await raw(`${t.url}/health/ready`)).status === 503, 10_000, 50)) readyFailedAfterMs = Date.now() - cutAt;
    });

    it('turns readiness 503 within 2 s', () => {
      expect(readyFailedAfterMs).toBeLessThanOrEqual(2_000);
    });

    it('answers 503 {code, title, message} revealing no stack, SQL, host, port or path', async () => {
      const problems: string[] = [];
      for (const [name, path, init] of requests()) {
        const res = await raw(t.url + path, init);
        if (res.status !== 503) problems.push(`${name}: status ${res.status} ${res.text.slice(0, 200)}`);
        else if (JSON.stringify(Object.keys(res.json ?? {}).sort()) !== JSON.stringify(['code', 'message', 'title'])) {
          problems.push(`${name}: body ${res.text}`);
        } else if (res.json.code !== '1003') problems.push(`${name}: code ${res.json.code}`);
        const leaked = leaks.filter((l) => res.text.includes(l));
        if (leaked.length > 0) problems.push(`${name}: leaks ${leaked.join(', ')} in ${res.text}`);
        if (res.ms >= 1_000) problems.push(`${name}: took ${res.ms} ms`);
      }
      expect(problems).toEqual([]);
    });

    it('fails readiness (503) without naming host, port or driver error; liveness stays up', async () => {
      const ready = await raw(`${t.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(leaks.filter((l) => l !== 'postgres' && ready.text.includes(l))).toEqual([]);
      expect((await raw(`${t.url}/health`)).status).toBe(200);
    });
  });

  describe('when Postgres is back', () => {
    let readyAgainAfterMs = Infinity;
    beforeAll(async () => {
      await proxy.restore();
      const backAt = Date.now();
      if (await eventually(async () => (await raw(`${t.url}/health/ready`)).status === 200, 20_000, 50)) readyAgainAfterMs = Date.now() - backAt;
    });

    it('turns readiness 200 within 2 s, without a restart', () => {
      expect(readyAgainAfterMs).toBeLessThanOrEqual(2_000);
    });

    it('recovers without a restart: reads and postings work again', async () => {
      expect(await eventually(async () => (await raw(`${t.url}/v1/organizations`)).status === 200, 20_000)).toBe(true);
      const res = await t.api.post(`${ctx.base}/transactions/json`, transferBody('@out-a', '@out-b', '7'));
      expect(res.status).toBe(201);
    });

    it('applied nothing that was refused during the outage', async () => {
      expect((await balanceOf(ctx, '@out-a')).available).toBe('93');
      expect((await balanceOf(ctx, '@out-b')).available).toBe('7');
      expect((await t.api.get(`${ctx.base}/accounts/alias/@out-c`)).status).toBe(404);
    });

    it('survives a second outage in the middle of traffic: a 1003 is never applied, a 1006 may be', async () => {
      const inflight = Array.from({ length: 10 }, () => raw(`${t.url}${ctx.base}/transactions/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(transferBody('@out-a', '@out-b', '1')),
      }));
      await proxy.cut();
      const answers = await Promise.all(inflight);
      const codes = answers.map((r) => (r.status === 201 ? '201' : `${r.status}:${r.json?.code}`));
      expect(codes.filter((c) => !['201', '503:1003', '503:1006'].includes(c))).toEqual([]);
      await proxy.restore();
      expect(await eventually(async () => (await raw(`${t.url}/health/ready`)).status === 200, 20_000)).toBe(true);
      const ok = codes.filter((c) => c === '201').length;
      const unknown = codes.filter((c) => c === '503:1006').length;
      // Every acknowledged transfer is applied (G1), none answered "not applied" (1003) is, and
      // one whose outcome could not be read back (1006) may be.
      const received = Number((await balanceOf(ctx, '@out-b')).available);
      expect(received).toBeGreaterThanOrEqual(7 + ok);
      expect(received).toBeLessThanOrEqual(7 + ok + unknown);
    });
  });
});
