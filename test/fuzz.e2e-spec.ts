import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { countTransactions, fund, snapshotBalances, sql, transferBody } from './support/postings';

// ---------------------------------------------------------------------------------------------
// Hostile inputs on the transaction and onboarding routes: every answer is a 4xx with
// {code, title, message}, none is a 5xx, and no balance, transaction or entity changes.
// ---------------------------------------------------------------------------------------------

interface Hostile {
  name: string;
  method: string;
  path: string;
  /** Raw body bytes as sent (already serialized), or undefined for none. */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  text: string;
  json: any;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** The amounts G9 refuses; 2^53+1 is spliced in as a JSON number (not a string). */
const BAD_AMOUNTS: Array<[string, string]> = [
  ['"0"', 'zero'],
  ['"-0"', 'negative zero'],
  ['"-1"', 'negative'],
  ['"1e3"', 'exponent'],
  ['"0x10"', 'hex'],
  ['"NaN"', 'NaN'],
  ['"Infinity"', 'Infinity'],
  ['"-Infinity"', '-Infinity'],
  ['" 1"', 'leading space'],
  ['"1 "', 'trailing space'],
  ['"1,000"', 'thousands separator'],
  ['"+5"', 'plus sign'],
  ['"00012"', 'leading zeros'],
  ['9007199254740993', '2^53+1 as a JSON number'],
  ['10', 'a JSON number'],
  [JSON.stringify('1'.repeat(40)), '40 digits'],
  [JSON.stringify('1.' + '1'.repeat(19)), '19 decimals'],
  [JSON.stringify('1'.repeat(30) + '.' + '1'.repeat(10)), '40 significant digits with decimals'],
  ['""', 'empty'],
  ['"1."', 'trailing dot'],
  ['".5"', 'leading dot'],
  ['"1..2"', 'two dots'],
  ['"１"', 'full-width digit'],
  ['"١"', 'Arabic-Indic digit'],
  ['"1\\u0000"', 'NUL'],
  ['null', 'null'],
  ['true', 'boolean'],
  ['["1"]', 'array'],
  ['{"value":"1"}', 'object'],
];

/** A body with the value placeholder replaced by raw JSON text. */
function withRaw(body: unknown, raw: string): string {
  const text = JSON.stringify(body).split('"__RAW__"').join(raw);
  return text;
}

describe('hostile inputs', () => {
  let t: TestApp;
  let ctx: LedgerCtx;
  let balancesBefore: Record<string, unknown>;
  let transactionsBefore: number;
  let accountsBefore: number;
  let answers: Array<{ c: Hostile; a: Answer }> = [];

  const tx = (kind: 'json' | 'inflow' | 'outflow') => `${ctx.base}/transactions/${kind}`;

  async function send(c: Hostile): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(t.url + c.path, { method: c.method, headers: c.headers ?? {}, body: c.body });
    } catch (err) {
      // The 10 MB body may be cut off by the server after its 413: ask again without reading it.
      return { status: -1, text: String(err), json: undefined };
    }
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  /** Sends every case and collects one line per answer that is not a 4xx with the error shape. */
  async function expectAllRefused(cases: Hostile[]): Promise<void> {
    const problems: string[] = [];
    for (const c of cases) {
      const a = await send(c);
      answers.push({ c, a });
      const shaped = a.json && typeof a.json.code === 'string' && typeof a.json.title === 'string' && typeof a.json.message === 'string';
      if (a.status < 400 || a.status >= 500 || !shaped) problems.push(`${c.name}: ${a.status} ${a.text.slice(0, 160)}`);
    }
    expect(problems).toEqual([]);
  }

  beforeAll(async () => {
    t = await startApp();
    ctx = await newLedger(t.api);
    await newAccount(ctx, '@fz-a');
    await newAccount(ctx, '@fz-b');
    await fund(ctx, '@fz-a', '100');
    balancesBefore = await snapshotBalances(ctx);
    transactionsBefore = await countTransactions(ctx.ledger);
    [{ n: accountsBefore }] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM accounts WHERE ledger_id = $1', [ctx.ledger]);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('amounts', () => {
    it('refuses every malformed amount in send.value and the legs of json, inflow and outflow', async () => {
      const cases: Hostile[] = [];
      for (const [raw, name] of BAD_AMOUNTS) {
        const leg = (alias: string) => ({ accountAlias: alias, amount: { asset: 'USD', value: '__RAW__' } });
        const bodies: Array<[string, string, unknown]> = [
          ['json', 'both', { send: { asset: 'USD', value: '__RAW__', source: { from: [leg('@fz-a')] }, distribute: { to: [leg('@fz-b')] } } }],
          ['json', 'legs only', { send: { asset: 'USD', value: '1', source: { from: [leg('@fz-a')] }, distribute: { to: [leg('@fz-b')] } } }],
          ['inflow', 'both', { send: { asset: 'USD', value: '__RAW__', distribute: { to: [leg('@fz-b')] } } }],
          ['outflow', 'both', { send: { asset: 'USD', value: '__RAW__', source: { from: [leg('@fz-a')] } } }],
        ];
        for (const [kind, where, body] of bodies) {
          cases.push({ name: `${kind} ${where}: ${name}`, method: 'POST', path: tx(kind as 'json'), body: withRaw(body, raw), headers: JSON_TYPE });
        }
      }
      await expectAllRefused(cases);
    });

    it('refuses malformed shares (negative, over 100, fractional, strings)', async () => {
      // (1e2 is not here: it is the JSON number 100, a valid share.)
      const shares = ['-1', '101', '50.5', '"50"', '1e3', 'null', '[]'];
      await expectAllRefused(
        shares.map((raw) => ({
          name: `share ${raw}`,
          method: 'POST',
          path: tx('json'),
          headers: JSON_TYPE,
          body: withRaw(
            { send: { asset: 'USD', value: '1', source: { from: [{ accountAlias: '@fz-a', share: { percentage: '__RAW__' } }] }, distribute: { to: [{ accountAlias: '@fz-b', remaining: 'remaining' }] } } },
            raw,
          ),
        })),
      );
    });
  });

  describe('JSON structure', () => {
    const transfer = JSON.stringify(transferBody('@fz-a', '@fz-b', '1'));

    it('refuses duplicate keys, whichever copy a reader would keep', async () => {
      const sendPart = JSON.stringify(transferBody('@fz-a', '@fz-b', '1').send);
      await expectAllRefused([
        {
          name: 'duplicate value in send',
          method: 'POST',
          path: tx('json'),
          headers: JSON_TYPE,
          body: transfer.replace('"value":"1"', '"value":"1","value":"90"'),
        },
        { name: 'duplicate send', method: 'POST', path: tx('json'), headers: JSON_TYPE, body: `{"send":${sendPart},"send":${sendPart}}` },
        {
          name: 'duplicate alias in a leg',
          method: 'POST',
          path: tx('json'),
          headers: JSON_TYPE,
          body: transfer.replace('"accountAlias":"@fz-a"', '"accountAlias":"@fz-b","accountAlias":"@fz-a"'),
        },
        {
          name: 'duplicate key written with an escape',
          method: 'POST',
          path: tx('json'),
          headers: JSON_TYPE,
          body: transfer.replace('"value":"1"', '"value":"1","\\u0076alue":"90"'),
        },
        {
          name: 'duplicate legalName',
          method: 'POST',
          path: '/v1/organizations',
          headers: JSON_TYPE,
          body: '{"legalName":"fuzz-org","legalName":"fuzz-org-2","legalDocument":"1"}',
        },
      ]);
    });

    it('refuses 100,000-deep nesting at the top and inside metadata', async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      await expectAllRefused([
        { name: 'deep array body (json)', method: 'POST', path: tx('json'), headers: JSON_TYPE, body: deep },
        { name: 'deep array body (organization)', method: 'POST', path: '/v1/organizations', headers: JSON_TYPE, body: deep },
        {
          name: 'deep metadata',
          method: 'POST',
          path: tx('json'),
          headers: JSON_TYPE,
          body: transfer.replace(/}$/, `,"metadata":{"a":${deep}}}`),
        },
        {
          name: 'deep objects',
          method: 'POST',
          path: `${ctx.base}/accounts`,
          headers: JSON_TYPE,
          body: '{"a":'.repeat(30_000) + '1' + '}'.repeat(30_000),
        },
      ]);
    });

    it('refuses a 10 MB body with 413', async () => {
      const huge = JSON.stringify({ ...transferBody('@fz-a', '@fz-b', '1'), description: 'x'.repeat(10 * 1024 * 1024) });
      const a = await send({ name: '10 MB', method: 'POST', path: tx('json'), headers: JSON_TYPE, body: huge });
      expect(a.status).toBe(413);
      expect(a.json).toMatchObject({ code: '1001', title: expect.any(String), message: expect.any(String) });
      const org = await send({ name: '10 MB org', method: 'POST', path: '/v1/organizations', headers: JSON_TYPE, body: huge });
      expect(org.status).toBe(413);
    });

    it('refuses __proto__, constructor and prototype keys anywhere', async () => {
      const inject = (extra: string) => transfer.replace(/^\{/, `{${extra},`);
      await expectAllRefused([
        { name: '__proto__ top', method: 'POST', path: tx('json'), headers: JSON_TYPE, body: inject('"__proto__":{"pending":true}') },
        { name: 'constructor top', method: 'POST', path: tx('json'), headers: JSON_TYPE, body: inject('"constructor":{"prototype":{"x":1}}') },
        { name: 'prototype top', method: 'POST', path: tx('json'), headers: JSON_TYPE, body: inject('"prototype":{}') },
        {
          name: '__proto__ in metadata',
          method: 'POST',
          path: tx('json'),
          headers: JSON_TYPE,
          body: transfer.replace(/}$/, ',"metadata":{"__proto__":{"isAdmin":true}}}'),
        },
        {
          name: '__proto__ in a leg',
          method: 'POST',
          path: tx('json'),
          headers: JSON_TYPE,
          body: transfer.replace('"accountAlias":"@fz-a"', '"accountAlias":"@fz-a","__proto__":{"amount":{"asset":"USD","value":"99"}}'),
        },
        {
          name: 'escaped __proto__',
          method: 'POST',
          path: tx('json'),
          headers: JSON_TYPE,
          body: inject('"\\u005f_proto__":{"pending":true}'),
        },
        {
          name: '__proto__ in an organization',
          method: 'POST',
          path: '/v1/organizations',
          headers: JSON_TYPE,
          body: '{"legalName":"fuzz-org","legalDocument":"1","__proto__":{"status":{"code":"ACTIVE"}}}',
        },
        {
          name: 'constructor in account metadata',
          method: 'POST',
          path: `${ctx.base}/accounts`,
          headers: JSON_TYPE,
          body: '{"assetCode":"USD","type":"deposit","alias":"@fz-c","metadata":{"constructor":"x"}}',
        },
      ]);
    });

    it('refuses bodies that are not one JSON object', async () => {
      const bodies = ['', '{"send":', 'null', '[]', '"send"', '123', 'true', '\uFEFF' + transfer, transfer + 'x', `${transfer}${transfer}`, "{'send':1}", '{"send":NaN}'];
      await expectAllRefused(
        bodies.flatMap((body, i) => [
          { name: `transaction body #${i}`, method: 'POST', path: tx('json'), headers: JSON_TYPE, body },
          { name: `organization body #${i}`, method: 'POST', path: '/v1/organizations', headers: JSON_TYPE, body },
        ]),
      );
    });
  });

  describe('SQL and odd text in aliases, codes and query parameters', () => {
    const SQL = ["@fz-a'; DROP TABLE balances; --", "' OR '1'='1", '@fz-a" OR 1=1 --', "@external/USD' --", '@fz-a\u0000', '@ｆｚ-a', '@fz-a/../fz-b', '@' + 'a'.repeat(500)];

    it('refuses SQL in the aliases of a posting', async () => {
      await expectAllRefused(
        SQL.flatMap((alias) => [
          { name: `from ${alias.slice(0, 30)}`, method: 'POST', path: tx('json'), headers: JSON_TYPE, body: JSON.stringify(transferBody(alias, '@fz-b', '1')) },
          { name: `to ${alias.slice(0, 30)}`, method: 'POST', path: tx('json'), headers: JSON_TYPE, body: JSON.stringify(transferBody('@fz-a', alias, '1')) },
        ]),
      );
    });

    it('refuses SQL in the alias and asset code of a new account', async () => {
      await expectAllRefused([
        ...SQL.map((alias) => ({
          name: `account alias ${alias.slice(0, 30)}`,
          method: 'POST',
          path: `${ctx.base}/accounts`,
          headers: JSON_TYPE,
          body: JSON.stringify({ assetCode: 'USD', type: 'deposit', alias }),
        })),
        { name: 'asset code SQL', method: 'POST', path: `${ctx.base}/accounts`, headers: JSON_TYPE, body: JSON.stringify({ assetCode: "USD' --", type: 'deposit' }) },
        { name: 'asset SQL', method: 'POST', path: `${ctx.base}/assets`, headers: JSON_TYPE, body: JSON.stringify({ name: 'x', type: 'currency', code: "EUR'; DELETE FROM assets; --" }) },
      ]);
    });

    it('answers SQL in path aliases and codes with a 4xx', async () => {
      await expectAllRefused(
        SQL.flatMap((alias) => [
          { name: `GET alias ${alias.slice(0, 30)}`, method: 'GET', path: `${ctx.base}/accounts/alias/${encodeURIComponent(alias)}` },
          { name: `GET alias balances ${alias.slice(0, 30)}`, method: 'GET', path: `${ctx.base}/accounts/alias/${encodeURIComponent(alias)}/balances` },
          { name: `GET external ${alias.slice(0, 30)}`, method: 'GET', path: `${ctx.base}/accounts/external/${encodeURIComponent(alias)}` },
        ]),
      );
    });

    it('refuses SQL in sort, paging and filter parameters (only allow-listed names and values)', async () => {
      const queries = [
        'sort_order=asc;DROP TABLE balances',
        "sort_order=desc'--",
        'sort_order=id',
        'sort=created_at;DELETE FROM operations',
        'order_by=1',
        'limit=1;DELETE FROM balances',
        'limit=1000',
        'limit=-1',
        'limit=0x10',
        'page=0',
        "page=1' OR '1'='1",
        "start_date=2020-01-01' OR 1=1--",
        'end_date=tomorrow',
        "metadata.a'--=1",
        'metadata.a%3B%20DROP%20TABLE%20x=1',
        'metadata.=1',
        'limit=1&limit=2',
      ];
      const lists = ['/v1/organizations', `${ctx.base}/accounts`, `${ctx.base}/transactions`, `${ctx.base}/balances`];
      const cursorLists = [`${ctx.base}/transactions`, `${ctx.base}/balances`, `${ctx.base}/accounts/alias/@fz-a/balances`];
      const cursors = ["' OR 1=1 --", Buffer.from(`{"id":"' OR 1=1 --","back":false}`).toString('base64url'), 'x'.repeat(200)];
      await expectAllRefused([
        ...lists.flatMap((path) => queries.map((q) => ({ name: `${path.slice(-20)}?${q}`, method: 'GET', path: `${path}?${q}` }))),
        ...cursorLists.flatMap((path) =>
          cursors.map((c) => ({ name: `${path.slice(-20)}?cursor=${c.slice(0, 20)}`, method: 'GET', path: `${path}?cursor=${encodeURIComponent(c)}` })),
        ),
        { name: 'NUL in a query value', method: 'GET', path: `${ctx.base}/transactions?metadata.a=%00` },
      ]);
    });

    it('matches nothing for SQL in metadata filter values (they are bound parameters)', async () => {
      for (const path of ['/v1/organizations', `${ctx.base}/accounts`, `${ctx.base}/transactions`]) {
        for (const value of ["' OR '1'='1", "x' OR 1=1 --", '%']) {
          const res = await t.api.get(`${path}?metadata.region=${encodeURIComponent(value)}`);
          expect({ path, value, status: res.status, items: res.body.items }).toEqual({ path, value, status: 200, items: [] });
        }
      }
    });
  });

  describe('headers', () => {
    const transfer = JSON.stringify(transferBody('@fz-a', '@fz-b', '1'));
    const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

    it('refuses empty, huge and non-ASCII idempotency keys and bad TTLs', async () => {
      const keys = ['', ' ', 'a'.repeat(256), 'k'.repeat(8000), latin1('clé-€'), latin1('キー'), 'tab\there', 'new line'];
      const ttls = ['0', '-1', '1e3', '2592001', 'abc', ' 60', '60s', ''];
      await expectAllRefused([
        ...keys.map((key, i) => ({ name: `X-Idempotency #${i}`, method: 'POST', path: tx('json'), body: transfer, headers: { ...JSON_TYPE, 'X-Idempotency': key } })),
        ...ttls.map((ttl) => ({ name: `X-TTL ${ttl}`, method: 'POST', path: tx('json'), body: transfer, headers: { ...JSON_TYPE, 'X-Idempotency': `fz-${ttl}`, 'X-TTL': ttl } })),
        { name: 'X-TTL without a key', method: 'POST', path: tx('json'), body: transfer, headers: { ...JSON_TYPE, 'X-TTL': '60' } },
      ]);
    });

    it('refuses every content type but application/json (UTF-8)', async () => {
      const types = [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json-patch+json',
        'application/vnd.api+json',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'json',
      ];
      await expectAllRefused([
        ...types.flatMap((type) => [
          { name: `transaction as ${type}`, method: 'POST', path: tx('json'), body: transfer, headers: { 'content-type': type } },
          { name: `organization as ${type}`, method: 'POST', path: '/v1/organizations', body: '{"legalName":"fuzz-org","legalDocument":"1"}', headers: { 'content-type': type } },
        ]),
        { name: 'transaction without a content type', method: 'POST', path: tx('json'), body: new TextEncoder().encode(transfer) },
        { name: 'form-encoded transaction', method: 'POST', path: tx('json'), body: 'send[asset]=USD&send[value]=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      ]);
    });
  });

  describe('limits and onboarding bodies', () => {
    it('refuses too many legs, bad metadata and wrong types on postings', async () => {
      const legs = Array.from({ length: 101 }, () => ({ accountAlias: '@fz-b', amount: { asset: 'USD', value: '1' } }));
      const base = transferBody('@fz-a', '@fz-b', '1');
      const variants: Array<[string, unknown]> = [
        ['101 legs', { send: { asset: 'USD', value: '101', source: { from: [{ accountAlias: '@fz-a', amount: { asset: 'USD', value: '101' } }] }, distribute: { to: legs } } }],
        ['51 metadata keys', { ...base, metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }],
        ['101-char metadata key', { ...base, metadata: { ['k'.repeat(101)]: 'v' } }],
        ['2001-char metadata value', { ...base, metadata: { k: 'v'.repeat(2001) } }],
        ['nested metadata', { ...base, metadata: { k: { nested: true } } }],
        ['array metadata', { ...base, metadata: { k: [1, 2] } }],
        ['metadata as array', { ...base, metadata: [] }],
        ['send as array', { send: [] }],
        ['asset as number', { ...base, send: { ...base.send, asset: 1 } }],
        ['lower-case asset', { ...base, send: { ...base.send, asset: 'usd' } }],
        ['pending as string', { ...base, pending: 'true' }],
        ['unknown field', { ...base, isAdmin: true }],
        ['expiresAt garbage', { ...base, pending: true, expiresAt: "2030-01-01'; DROP TABLE x" }],
        ['description 100k', { ...base, description: 'd'.repeat(100_000) }],
        ['NUL in description', { ...base, description: 'a\u0000b' }],
        ['NUL in a metadata value', { ...base, metadata: { k: 'a\u0000' } }],
        ['NUL in a metadata key', { ...base, metadata: { ['k\u0000']: 'v' } }],
        ['balanceKey SQL', { ...base, send: { ...base.send, source: { from: [{ accountAlias: '@fz-a', balanceKey: "default' --", amount: { asset: 'USD', value: '1' } }] } } }],
      ];
      await expectAllRefused(variants.map(([name, body]) => ({ name, method: 'POST', path: tx('json'), headers: JSON_TYPE, body: JSON.stringify(body) })));
    });

    it('refuses hostile onboarding bodies', async () => {
      const org = { legalName: 'fuzz-org', legalDocument: '1' };
      const account = { assetCode: 'USD', type: 'deposit', alias: '@fz-new' };
      const cases: Array<[string, string, unknown]> = [
        ['org legalName 100k', '/v1/organizations', { ...org, legalName: 'n'.repeat(100_000) }],
        ['org legalName NUL', '/v1/organizations', { ...org, legalName: 'fuzz-org\u0000' }],
        ['account name NUL', `${ctx.base}/accounts`, { ...account, name: 'x\u0000' }],
        ['org legalName number', '/v1/organizations', { ...org, legalName: 1 }],
        ['org unknown field', '/v1/organizations', { ...org, id: '00000000-0000-0000-0000-000000000000' }],
        ['org nested metadata', '/v1/organizations', { ...org, metadata: { a: { b: 1 } } }],
        ['org parent SQL', '/v1/organizations', { ...org, parentOrganizationId: "' OR 1=1 --" }],
        ['org status lower', '/v1/organizations', { ...org, status: { code: 'active; drop' } }],
        ['ledger name object', `/v1/organizations/${ctx.org}/ledgers`, { name: { $gt: '' } }],
        ['asset lower-case code', `${ctx.base}/assets`, { name: 'x', type: 'currency', code: 'usd' }],
        ['account deleted fields', `${ctx.base}/accounts`, { ...account, deletedAt: '2020-01-01T00:00:00Z' }],
        ['account external type', `${ctx.base}/accounts`, { ...account, type: 'external' }],
        ['account metadata 2001', `${ctx.base}/accounts`, { ...account, metadata: { k: 'v'.repeat(2001) } }],
        ['account portfolio SQL', `${ctx.base}/accounts`, { ...account, portfolioId: "1' OR '1'='1" }],
      ];
      await expectAllRefused([
        ...cases.map(([name, path, body]) => ({ name, method: 'POST', path, headers: JSON_TYPE, body: JSON.stringify(body) })),
        { name: 'patch org with id', method: 'PATCH', path: `/v1/organizations/${ctx.org}`, headers: JSON_TYPE, body: JSON.stringify({ id: 'x' }) },
        { name: 'patch org SQL id', method: 'PATCH', path: `/v1/organizations/${encodeURIComponent("1' OR '1'='1")}`, headers: JSON_TYPE, body: '{}' },
        { name: 'delete SQL id', method: 'DELETE', path: `${ctx.base}/accounts/${encodeURIComponent("1'; DELETE FROM accounts; --")}` },
      ]);
    });
  });

  describe('afterwards', () => {
    it('no answer leaked internals (stack, SQL, file paths)', () => {
      const leaks = answers.filter(({ a }) => /\bat \S+:\d+|\.ts:\d+|SELECT |INSERT |\/work\/|node_modules/.test(a.text));
      expect(leaks.map(({ c, a }) => `${c.name}: ${a.text.slice(0, 200)}`)).toEqual([]);
    });

    it('changed no balance, made no transaction and no account', async () => {
      expect(answers.length).toBeGreaterThan(300);
      expect(await snapshotBalances(ctx)).toEqual(balancesBefore);
      expect(await countTransactions(ctx.ledger)).toBe(transactionsBefore);
      const [{ n }] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM accounts WHERE ledger_id = $1', [ctx.ledger]);
      expect(n).toBe(accountsBefore);
      const [{ orgs }] = await sql<{ orgs: number }>("SELECT count(*)::int AS orgs FROM organizations WHERE legal_name LIKE 'fuzz-org%'");
      expect(orgs).toBe(0);
    });

    it('still serves a valid posting', async () => {
      const res = await t.api.post(tx('json'), transferBody('@fz-a', '@fz-b', '1'));
      expect(res.status).toBe(201);
    });
  });
});
