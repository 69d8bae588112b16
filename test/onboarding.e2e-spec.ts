import { randomUUID } from 'crypto';
import { Api, ApiResponse, expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newAsset, newLedger, newOrganization } from './support/factories';
import { balanceOf, fund, outflowBody, transferBody } from './support/postings';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A random upper-case asset code (letters only, 8 chars). */
function assetCode(): string {
  return Array.from({ length: 8 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('');
}

function expectStatus(res: ApiResponse, status: number): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: res.body });
}

/** Where an entity lives for one test: its collection path and collections where it must be invisible. */
interface Fixture {
  collection: string;
  /** Collection paths of other scopes (another ledger, another organization). */
  foreign: string[];
  /** Name of the id path parameter, as reported in `fields` for a non-UUID id. */
  idParam: string;
  /** organizationId / ledgerId every created entity must carry. */
  scope: Record<string, string>;
}

/**
 * What the generic tests need to know about one onboarding entity. `body(tag)` is a valid,
 * unique create body carrying metadata {run: tag}, so lists can be isolated by metadata filter.
 */
interface EntityCase {
  name: string;
  entityType: string;
  setup(api: Api): Promise<Fixture>;
  body(tag: string): Record<string, unknown>;
  update: Record<string, unknown>;
  required: string;
  invalid: { body: Record<string, unknown>; field: string };
  /** A create-only field refused on PATCH. */
  createOnly?: Record<string, unknown>;
}

async function ledgerFixture(api: Api, path: string): Promise<Fixture> {
  const ctx = await newLedger(api);
  const sibling = await api.post(`/v1/organizations/${ctx.org}/ledgers`, { name: `Sibling ${randomUUID()}` });
  const other = await newLedger(api);
  return {
    collection: `${ctx.base}/${path}`,
    foreign: [
      `/v1/organizations/${ctx.org}/ledgers/${sibling.body.id}/${path}`,
      `${other.base}/${path}`,
      `/v1/organizations/${other.org}/ledgers/${ctx.ledger}/${path}`,
    ],
    idParam: 'id',
    scope: { organizationId: ctx.org, ledgerId: ctx.ledger },
  };
}

const ENTITIES: EntityCase[] = [
  {
    name: 'organizations',
    entityType: 'Organization',
    setup: async () => ({ collection: '/v1/organizations', foreign: [], idParam: 'organization_id', scope: {} }),
    body: (tag) => ({
      legalName: `Acme ${randomUUID()}`,
      legalDocument: '12345678000199',
      doingBusinessAs: 'Acme',
      address: { line1: 'Av. Paulista, 1000', city: 'São Paulo', state: 'SP', country: 'BR', zipCode: '01310-100' },
      metadata: { run: tag },
    }),
    update: { legalName: 'Acme Renamed Ltd', doingBusinessAs: 'Renamed', address: { line1: 'Rua Nova 1', country: 'BR' } },
    required: 'legalDocument',
    invalid: { body: { legalName: 42 }, field: 'legalName' },
    createOnly: { legalDocument: '999' },
  },
  {
    name: 'ledgers',
    entityType: 'Ledger',
    setup: async (api) => {
      const org = await newOrganization(api);
      const other = await newOrganization(api);
      const ledgerOfOther = `/v1/organizations/${other}/ledgers`;
      return {
        collection: `/v1/organizations/${org}/ledgers`,
        foreign: [ledgerOfOther],
        idParam: 'ledger_id',
        scope: { organizationId: org },
      };
    },
    body: (tag) => ({ name: `Ledger ${randomUUID()}`, metadata: { run: tag } }),
    update: { name: `Renamed ${randomUUID()}` },
    required: 'name',
    invalid: { body: { name: '' }, field: 'name' },
  },
  {
    name: 'assets',
    entityType: 'Asset',
    setup: (api) => ledgerFixture(api, 'assets'),
    body: (tag) => ({ name: 'Some coin', type: 'crypto', code: assetCode(), metadata: { run: tag } }),
    update: { name: 'Renamed coin' },
    required: 'code',
    invalid: { body: { type: 'stock' }, field: 'type' },
    createOnly: { code: 'XYZ' },
  },
  {
    name: 'accounts',
    entityType: 'Account',
    setup: (api) => ledgerFixture(api, 'accounts'),
    body: (tag) => ({
      assetCode: 'USD',
      type: 'deposit',
      name: 'Checking',
      alias: `@acc-${randomUUID().slice(0, 12)}`,
      entityId: 'customer-1',
      metadata: { run: tag },
    }),
    update: { name: 'Savings', entityId: 'customer-2', blocked: true },
    required: 'assetCode',
    invalid: { body: { alias: 'has spaces' }, field: 'alias' },
    createOnly: { alias: '@new-alias' },
  },
  {
    name: 'portfolios',
    entityType: 'Portfolio',
    setup: (api) => ledgerFixture(api, 'portfolios'),
    body: (tag) => ({ name: `Portfolio ${randomUUID()}`, entityId: 'customer-1', metadata: { run: tag } }),
    update: { name: 'Renamed portfolio', entityId: 'customer-9' },
    required: 'name',
    invalid: { body: { entityId: 7 }, field: 'entityId' },
  },
  {
    name: 'segments',
    entityType: 'Segment',
    setup: (api) => ledgerFixture(api, 'segments'),
    body: (tag) => ({ name: `Segment ${randomUUID()}`, metadata: { run: tag } }),
    update: { name: 'Renamed segment' },
    required: 'name',
    invalid: { body: { name: 'x'.repeat(257) }, field: 'name' },
  },
];

/** Creates `n` entities one after the other (distinct createdAt), tagged with a fresh tag. */
async function createMany(
  api: Api,
  c: EntityCase,
  f: Fixture,
  n: number,
  extra: (i: number, tag: string) => object = () => ({}),
) {
  const tag = randomUUID();
  const items: any[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api.post(f.collection, { ...c.body(tag), ...extra(i, tag) });
    expectStatus(res, 201);
    items.push(res.body);
  }
  return { tag, items };
}

const ids = (res: ApiResponse): string[] => res.body.items.map((i: { id: string }) => i.id);

// ---------------------------------------------------------------------------------------------
// Specs
// ---------------------------------------------------------------------------------------------

let t: TestApp;
let api: Api;

beforeAll(async () => {
  t = await startApp();
  api = t.api;
});
afterAll(() => t.close());

describe.each(ENTITIES)('$name', (c) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await c.setup(api);
  });

  it('creates: 201 with the sent fields, an id, ACTIVE status and timestamps', async () => {
    const body = c.body('create');
    const res = await api.post(f.collection, body);
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ ...body, ...f.scope, status: { code: 'ACTIVE', description: null }, deletedAt: null });
    expect(res.body.id).toMatch(UUID);
    expect(res.body.createdAt).toMatch(ISO);
    expect(res.body.updatedAt).toMatch(ISO);
  });

  it('creates with a given status {code, description}', async () => {
    const res = await api.post(f.collection, { ...c.body('status'), status: { code: 'PENDING', description: 'Awaiting KYC' } });
    expectStatus(res, 201);
    expect(res.body.status).toEqual({ code: 'PENDING', description: 'Awaiting KYC' });
  });

  it('gets a created entity by id', async () => {
    const created = (await api.post(f.collection, c.body('get'))).body;
    const res = await api.get(`${f.collection}/${created.id}`);
    expectStatus(res, 200);
    expect(res.body).toEqual(created);
  });

  it('updates with PATCH: changed fields, status and metadata; other fields kept', async () => {
    const created = (await api.post(f.collection, c.body('patch'))).body;
    const patch = { ...c.update, status: { code: 'INACTIVE', description: 'Closed by ops' }, metadata: { tier: 'gold', score: 7 } };
    const res = await api.patch(`${f.collection}/${created.id}`, patch);
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ ...patch, id: created.id, createdAt: created.createdAt });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    const unchanged = Object.keys(created).filter((k) => !(k in patch) && k !== 'updatedAt');
    for (const k of unchanged) expect({ [k]: res.body[k] }).toEqual({ [k]: created[k] });

    const reread = await api.get(`${f.collection}/${created.id}`);
    expect(reread.body).toEqual(res.body);
  });

  it('lists: {items, page, limit} with the defaults', async () => {
    const { tag, items } = await createMany(api, c, f, 1);
    const res = await api.get(`${f.collection}?metadata.run=${tag}`);
    expectStatus(res, 200);
    expect(res.body).toEqual({ items: [items[0]], page: 1, limit: 10 });
  });

  it('paginates with limit and page: disjoint pages covering every item', async () => {
    const { tag, items } = await createMany(api, c, f, 3);
    const p1 = await api.get(`${f.collection}?metadata.run=${tag}&limit=2&page=1`);
    const p2 = await api.get(`${f.collection}?metadata.run=${tag}&limit=2&page=2`);
    const p3 = await api.get(`${f.collection}?metadata.run=${tag}&limit=2&page=3`);
    expect([p1.body.page, p1.body.limit, p2.body.page, p2.body.limit]).toEqual([1, 2, 2, 2]);
    expect(ids(p1)).toHaveLength(2);
    expect(ids(p2)).toHaveLength(1);
    expect(ids(p3)).toEqual([]);
    expect(new Set([...ids(p1), ...ids(p2)])).toEqual(new Set(items.map((i) => i.id)));
  });

  it('sorts by creation time: sort_order=asc and desc (default desc)', async () => {
    const { tag, items } = await createMany(api, c, f, 3);
    const created = items.map((i) => i.id);
    const asc = await api.get(`${f.collection}?metadata.run=${tag}&sort_order=asc`);
    const desc = await api.get(`${f.collection}?metadata.run=${tag}&sort_order=desc`);
    const dflt = await api.get(`${f.collection}?metadata.run=${tag}`);
    expect(ids(asc)).toEqual(created);
    expect(ids(desc)).toEqual([...created].reverse());
    expect(ids(dflt)).toEqual(ids(desc));
  });

  it('filters by start_date and end_date (inclusive; dates or date-times)', async () => {
    const { tag, items } = await createMany(api, c, f, 3);
    const [a, b, cc] = items;
    const q = (s: string) => api.get(`${f.collection}?metadata.run=${tag}&sort_order=asc&${s}`);
    const day = a.createdAt.slice(0, 10);
    const before = new Date(Date.parse(a.createdAt) - 86_400_000).toISOString().slice(0, 10);
    const after = new Date(Date.parse(cc.createdAt) + 86_400_000).toISOString().slice(0, 10);

    expect(ids(await q(`start_date=${before}&end_date=${after}`))).toEqual([a.id, b.id, cc.id]);
    expect(ids(await q(`start_date=${after}`))).toEqual([]);
    expect(ids(await q(`end_date=${before}`))).toEqual([]);
    expect(ids(await q(`end_date=${cc.createdAt.slice(0, 10)}`))).toEqual([a.id, b.id, cc.id]);
    expect(ids(await q(`start_date=${day}`))).toEqual([a.id, b.id, cc.id]);
    expect(ids(await q(`start_date=${encodeURIComponent(b.createdAt)}`))).toEqual([b.id, cc.id]);
    expect(ids(await q(`end_date=${encodeURIComponent(b.createdAt)}`))).toEqual([a.id, b.id]);
  });

  it('filters by metadata.key=value (several filters combine with AND)', async () => {
    const { tag, items } = await createMany(api, c, f, 3, (i, tag) => ({ metadata: { run: tag, tier: i === 1 ? 'gold' : 'silver' } }));
    const q = (s: string) => api.get(`${f.collection}?metadata.run=${tag}&sort_order=asc&${s}`);
    expect(ids(await q('metadata.tier=gold'))).toEqual([items[1].id]);
    expect(ids(await q('metadata.tier=silver'))).toEqual([items[0].id, items[2].id]);
    expect(ids(await q('metadata.tier=bronze'))).toEqual([]);
  });

  it('counts with HEAD .../metrics/count: 204 and X-Total-Count, honouring filters', async () => {
    const { tag } = await createMany(api, c, f, 3);
    const res = await api.head(`${f.collection}/metrics/count?metadata.run=${tag}`);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-total-count')).toBe('3');
    const none = await api.head(`${f.collection}/metrics/count?metadata.run=${randomUUID()}`);
    expect(none.headers.get('x-total-count')).toBe('0');
  });

  it('soft deletes: 204, then GET 404, gone from the list, count drops, second delete 404', async () => {
    const { tag, items } = await createMany(api, c, f, 2);
    const [gone, kept] = items;
    const del = await api.delete(`${f.collection}/${gone.id}`);
    expect(del.status).toBe(204);
    expectError(await api.get(`${f.collection}/${gone.id}`), 404, '0007');
    expect(ids(await api.get(`${f.collection}?metadata.run=${tag}`))).toEqual([kept.id]);
    const count = await api.head(`${f.collection}/metrics/count?metadata.run=${tag}`);
    expect(count.headers.get('x-total-count')).toBe('1');
    expectError(await api.delete(`${f.collection}/${gone.id}`), 404, '0007');
    expectError(await api.patch(`${f.collection}/${gone.id}`, c.update), 404, '0007');
  });

  it('refuses an invalid field: 400 with fields naming it', async () => {
    const res = await api.post(f.collection, { ...c.body('bad'), ...c.invalid.body });
    const err = expectError(res, 400);
    expect(Object.keys(err.fields)).toEqual([c.invalid.field]);
  });

  it('refuses an unknown body field: 400 code 0053 naming it', async () => {
    const res = await api.post(f.collection, { ...c.body('unknown'), surprise: 'x' });
    const err = expectError(res, 400, '0053');
    expect(err.fields).toHaveProperty('surprise');
  });

  it('refuses a missing required field: 400 code 0009 naming it', async () => {
    const body = c.body('missing');
    delete body[c.required];
    const err = expectError(await api.post(f.collection, body), 400, '0009');
    expect(err.fields).toHaveProperty(c.required);
  });

  it('refuses an invalid status on PATCH: 400 naming status.code', async () => {
    const created = (await api.post(f.collection, c.body('bad-status'))).body;
    const err = expectError(await api.patch(`${f.collection}/${created.id}`, { status: { code: 'lower case' } }), 400);
    expect(err.fields).toHaveProperty(['status.code']);
  });

  const createOnly = c.createOnly;
  if (createOnly) {
    it(`refuses the create-only field ${Object.keys(createOnly)[0]} on PATCH: 400 code 0053`, async () => {
      const created = (await api.post(f.collection, c.body('create-only'))).body;
      const err = expectError(await api.patch(`${f.collection}/${created.id}`, createOnly), 400, '0053');
      expect(err.fields).toHaveProperty(Object.keys(createOnly)[0]);
      expect((await api.get(`${f.collection}/${created.id}`)).body).toEqual(created);
    });
  }

  it('answers 404 code 0007 for an unknown id (GET, PATCH, DELETE)', async () => {
    const id = randomUUID();
    const err = expectError(await api.get(`${f.collection}/${id}`), 404, '0007');
    expect(err.entityType).toBe(c.entityType);
    expectError(await api.patch(`${f.collection}/${id}`, c.update), 404, '0007');
    expectError(await api.delete(`${f.collection}/${id}`), 404, '0007');
  });

  // Organizations are top-level: there is no other scope to look them up from.
  if (c.name !== 'organizations') {
    it('answers 404 for an entity of another organization or ledger', async () => {
      expect(f.foreign.length).toBeGreaterThan(0);
      const created = (await api.post(f.collection, c.body('foreign'))).body;
      for (const foreign of f.foreign) {
        expectError(await api.get(`${foreign}/${created.id}`), 404);
        expectError(await api.patch(`${foreign}/${created.id}`, c.update), 404);
        expectError(await api.delete(`${foreign}/${created.id}`), 404);
      }
      expect((await api.get(`${f.collection}/${created.id}`)).body).toEqual(created);
    });
  }

  it('answers 400 naming the parameter for a non-UUID id', async () => {
    const err = expectError(await api.get(`${f.collection}/not-a-uuid`), 400);
    expect(err.fields).toHaveProperty(f.idParam);
  });
});

describe('ledger-scoped paths', () => {
  it('answer 404 when the ledger does not belong to the organization, 400 for a non-UUID organization', async () => {
    const a = await newLedger(api);
    const b = await newLedger(api);
    expectError(await api.get(`/v1/organizations/${b.org}/ledgers/${a.ledger}/assets`), 404, '0007');
    expectError(await api.post(`/v1/organizations/${b.org}/ledgers/${a.ledger}/segments`, { name: 'x' }), 404, '0007');
    const err = expectError(await api.get(`/v1/organizations/nope/ledgers/${a.ledger}/assets`), 400);
    expect(err.fields).toHaveProperty('organization_id');
  });

  it('answer 404 under a soft-deleted ledger', async () => {
    const ctx = await newLedger(api);
    expect((await api.delete(`/v1/organizations/${ctx.org}/ledgers/${ctx.ledger}`)).status).toBe(204);
    expectError(await api.get(`${ctx.base}/assets`), 404, '0007');
    expectError(await api.post(`${ctx.base}/portfolios`, { name: 'p' }), 404, '0007');
  });
});

describe('deleting ledgers and organizations that hold money', () => {
  it('refuses a ledger with a non-zero balance (422 0016) and deletes it with its balances once the money has gone out', async () => {
    const ctx = await newLedger(api);
    await newAccount(ctx, '@keeps');
    await fund(ctx, '@keeps', '3');
    const ledgerPath = `/v1/organizations/${ctx.org}/ledgers/${ctx.ledger}`;
    expectError(await api.delete(ledgerPath), 422, '0016');
    expect((await balanceOf(ctx, '@keeps')).available).toBe('3');
    expectStatus(await api.post(`${ctx.base}/transactions/outflow`, outflowBody('@keeps', '3')), 201);
    expect((await api.delete(ledgerPath)).status).toBe(204);
    expectError(await api.get(ledgerPath), 404, '0007');
  });

  it('refuses an organization with a live ledger (422 1018), deletes it once the ledger is deleted', async () => {
    const ctx = await newLedger(api);
    expectError(await api.delete(`/v1/organizations/${ctx.org}`), 422, '1018');
    expect((await api.delete(`/v1/organizations/${ctx.org}/ledgers/${ctx.ledger}`)).status).toBe(204);
    expect((await api.delete(`/v1/organizations/${ctx.org}`)).status).toBe(204);
  });
});

describe('organizations: specifics', () => {
  it('refuses an unknown parentOrganizationId with 404', async () => {
    const err = expectError(
      await api.post('/v1/organizations', { legalName: 'Child', legalDocument: '1', parentOrganizationId: randomUUID() }),
      404,
    );
    expect(err.entityType).toBe('Organization');
  });

  it('accepts an existing parent organization', async () => {
    const parent = await newOrganization(api);
    const res = await api.post('/v1/organizations', { legalName: 'Child', legalDocument: '1', parentOrganizationId: parent });
    expectStatus(res, 201);
    expect(res.body.parentOrganizationId).toBe(parent);
  });

  it('refuses an address country that is not two letters, naming address.country', async () => {
    const err = expectError(await api.post('/v1/organizations', { legalName: 'A', legalDocument: '1', address: { country: 'BRA' } }), 400);
    expect(err.fields).toHaveProperty(['address.country']);
  });
});

describe('ledgers: duplicates', () => {
  it('refuses a ledger name already used in the organization: 409 code 0001', async () => {
    const org = await newOrganization(api);
    expectStatus(await api.post(`/v1/organizations/${org}/ledgers`, { name: 'Main' }), 201);
    expectError(await api.post(`/v1/organizations/${org}/ledgers`, { name: 'Main' }), 409, '0001');
  });

  it('allows the same ledger name in another organization', async () => {
    const org1 = await newOrganization(api);
    const org2 = await newOrganization(api);
    expectStatus(await api.post(`/v1/organizations/${org1}/ledgers`, { name: 'Main' }), 201);
    expectStatus(await api.post(`/v1/organizations/${org2}/ledgers`, { name: 'Main' }), 201);
  });

  it('refuses renaming a ledger to a name already used: 409 code 0001', async () => {
    const org = await newOrganization(api);
    await api.post(`/v1/organizations/${org}/ledgers`, { name: 'Taken' });
    const other = (await api.post(`/v1/organizations/${org}/ledgers`, { name: 'Free' })).body;
    expectError(await api.patch(`/v1/organizations/${org}/ledgers/${other.id}`, { name: 'Taken' }), 409, '0001');
  });

  it('refuses a ledger under an unknown organization: 404 code 0007', async () => {
    expectError(await api.post(`/v1/organizations/${randomUUID()}/ledgers`, { name: 'x' }), 404, '0007');
  });
});

describe('assets: codes and the external account', () => {
  let ctx: LedgerCtx;
  beforeAll(async () => {
    ctx = await newLedger(api);
  });

  it('refuses an asset code already used in the ledger: 409 code 0003', async () => {
    expectError(await api.post(`${ctx.base}/assets`, { name: 'Dollar again', type: 'currency', code: 'USD' }), 409, '0003');
  });

  it('allows the same asset code in another ledger', async () => {
    const other = await newLedger(api, []);
    expectStatus(await api.post(`${other.base}/assets`, { name: 'Dollar', type: 'currency', code: 'USD' }), 201);
  });

  it('refuses a lower-case asset code: 400 code 0004 naming code', async () => {
    const err = expectError(await api.post(`${ctx.base}/assets`, { name: 'Euro', type: 'currency', code: 'eur' }), 400, '0004');
    expect(err.fields).toHaveProperty('code');
  });

  it('creates @external/{CODE} with a zero default balance', async () => {
    const code = assetCode();
    await newAsset(ctx, code);
    const ext = await api.get(`${ctx.base}/accounts/external/${code}`);
    expectStatus(ext, 200);
    expect(ext.body).toMatchObject({ alias: `@external/${code}`, type: 'external', assetCode: code, ledgerId: ctx.ledger });
    const balances = await api.get(`${ctx.base}/accounts/external/${code}/balances`);
    expectStatus(balances, 200);
    expect(balances.body.items).toHaveLength(1);
    expect(balances.body.items[0]).toMatchObject({
      accountId: ext.body.id,
      alias: `@external/${code}`,
      key: 'default',
      assetCode: code,
      available: '0',
      onHold: '0',
      version: 0,
    });
  });

  it('answers 404 for the external account of an unknown asset', async () => {
    expectError(await api.get(`${ctx.base}/accounts/external/NOPE`), 404, '0007');
  });
});

describe('accounts: aliases, references and balances', () => {
  let ctx: LedgerCtx;
  beforeAll(async () => {
    ctx = await newLedger(api);
  });

  it('refuses an alias already used in the ledger: 409 code 0020', async () => {
    await newAccount(ctx, '@dup');
    expectError(await api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'deposit', alias: '@dup' }), 409, '0020');
  });

  it('allows an alias used in another ledger', async () => {
    const other = await newLedger(api);
    await newAccount(ctx, '@shared');
    expectStatus(await api.post(`${other.base}/accounts`, { assetCode: 'USD', type: 'deposit', alias: '@shared' }), 201);
  });

  it('allows reusing the alias of a deleted account', async () => {
    const first = await newAccount(ctx, '@recycled');
    expect((await api.delete(`${ctx.base}/accounts/${first.id}`)).status).toBe(204);
    const again = await api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'deposit', alias: '@recycled' });
    expectStatus(again, 201);
    expect((await api.get(`${ctx.base}/accounts/alias/@recycled`)).body.id).toBe(again.body.id);
    // The old account's balance went with it: one live balance under the alias, and postings use it.
    const balances = (await api.get(`${ctx.base}/accounts/alias/@recycled/balances`)).body.items;
    expect(balances.map((b: { accountId: string }) => b.accountId)).toEqual([again.body.id]);
    await fund(ctx, '@recycled', '5.00');
    expect((await balanceOf(ctx, '@recycled')).available).toBe('5');
  });

  it('refuses to delete an account holding money: 422 code 0016, account and balance unchanged; deletes it once emptied', async () => {
    const account = await newAccount(ctx, '@holder');
    await fund(ctx, '@holder', '12.50');
    const before = await balanceOf(ctx, '@holder');
    expectError(await api.delete(`${ctx.base}/accounts/${account.id}`), 422, '0016');
    expectStatus(await api.get(`${ctx.base}/accounts/${account.id}`), 200);
    expect(await balanceOf(ctx, '@holder')).toEqual(before);

    expectStatus(await api.post(`${ctx.base}/transactions/outflow`, outflowBody('@holder', '12.50')), 201);
    expect((await api.delete(`${ctx.base}/accounts/${account.id}`)).status).toBe(204);
    expectError(await api.get(`${ctx.base}/balances/${before.id}`), 404, '0007');
    expectError(await api.get(`${ctx.base}/accounts/alias/@holder/balances`), 404);
  });

  it('refuses to delete an account named by a PENDING transaction: 422 code 1016; deletes it once the hold is canceled', async () => {
    await newAccount(ctx, '@payer');
    const payee = await newAccount(ctx, '@payee');
    await fund(ctx, '@payer', '10');
    const held = await api.post(`${ctx.base}/transactions/json`, transferBody('@payer', '@payee', '4', { pending: true }));
    expectStatus(held, 201);
    expectError(await api.delete(`${ctx.base}/accounts/${payee.id}`), 422, '1016');
    expectStatus(await api.get(`${ctx.base}/accounts/${payee.id}`), 200);
    expectStatus(await api.post(`${ctx.base}/transactions/${held.body.id}/cancel`), 200);
    expect((await api.delete(`${ctx.base}/accounts/${payee.id}`)).status).toBe(204);
  });

  it('refuses to revert a transaction whose account was deleted and its alias reused: 422 code 1017, nothing moves', async () => {
    await newAccount(ctx, '@origin');
    const first = await newAccount(ctx, '@reused');
    await fund(ctx, '@origin', '10');
    const paid = await api.post(`${ctx.base}/transactions/json`, transferBody('@origin', '@reused', '10'));
    expectStatus(paid, 201);
    expectStatus(await api.post(`${ctx.base}/transactions/outflow`, outflowBody('@reused', '10')), 201);
    expect((await api.delete(`${ctx.base}/accounts/${first.id}`)).status).toBe(204);
    await newAccount(ctx, '@reused');
    await fund(ctx, '@reused', '50');
    const before = [await balanceOf(ctx, '@origin'), await balanceOf(ctx, '@reused')];
    expectError(await api.post(`${ctx.base}/transactions/${paid.body.id}/revert`), 422, '1017');
    expect([await balanceOf(ctx, '@origin'), await balanceOf(ctx, '@reused')]).toEqual(before);
  });

  it('refuses an unknown assetCode: 404 code 0034', async () => {
    const err = expectError(await api.post(`${ctx.base}/accounts`, { assetCode: 'GBP', type: 'deposit' }), 404, '0034');
    expect(err.fields).toHaveProperty('assetCode');
  });

  it('refuses an unknown portfolioId: 404 naming it', async () => {
    const res = await api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'deposit', portfolioId: randomUUID() });
    expect(expectError(res, 404).fields).toHaveProperty('portfolioId');
  });

  it('refuses an unknown segmentId: 404 naming it', async () => {
    const res = await api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'deposit', segmentId: randomUUID() });
    expect(expectError(res, 404).fields).toHaveProperty('segmentId');
  });

  it('refuses a portfolio of another ledger: 404', async () => {
    const other = await newLedger(api);
    const portfolio = (await api.post(`${other.base}/portfolios`, { name: 'elsewhere' })).body;
    const res = await api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'deposit', portfolioId: portfolio.id });
    expect(expectError(res, 404).fields).toHaveProperty('portfolioId');
  });

  it('refuses an unknown portfolioId on PATCH: 404', async () => {
    const acc = await newAccount(ctx);
    expectError(await api.patch(`${ctx.base}/accounts/${acc.id}`, { portfolioId: randomUUID() }), 404);
  });

  it('links an existing portfolio and segment', async () => {
    const portfolio = (await api.post(`${ctx.base}/portfolios`, { name: 'p' })).body;
    const segment = (await api.post(`${ctx.base}/segments`, { name: 's' })).body;
    const res = await api.post(`${ctx.base}/accounts`, {
      assetCode: 'USD',
      type: 'deposit',
      portfolioId: portfolio.id,
      segmentId: segment.id,
    });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ portfolioId: portfolio.id, segmentId: segment.id });
  });

  it('defaults the alias to the account id', async () => {
    const res = await api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'deposit' });
    expectStatus(res, 201);
    expect(res.body.alias).toBe(res.body.id);
  });

  it('refuses type external: 400 naming type', async () => {
    const err = expectError(await api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'external' }), 400);
    expect(err.fields).toHaveProperty('type');
  });

  it('creates a default balance (0, 0, version 0), visible by alias and by account id', async () => {
    const acc = await newAccount(ctx, '@bal-check');
    const expected = { accountId: acc.id, alias: '@bal-check', key: 'default', assetCode: 'USD', available: '0', onHold: '0', version: 0 };
    const byAlias = await api.get(`${ctx.base}/accounts/alias/@bal-check/balances`);
    expectStatus(byAlias, 200);
    expect(byAlias.body.items).toEqual([expect.objectContaining(expected)]);
    const byId = await api.get(`${ctx.base}/accounts/${acc.id}/balances`);
    expectStatus(byId, 200);
    expect(byId.body.items).toEqual([expect.objectContaining(expected)]);
  });

  it('gets an account by alias', async () => {
    const acc = await newAccount(ctx, '@lookup');
    const res = await api.get(`${ctx.base}/accounts/alias/@lookup`);
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ id: acc.id, alias: '@lookup', assetCode: 'USD', type: 'deposit' });
  });

  it('answers 404 for an unknown alias, and for an alias of another ledger', async () => {
    expectError(await api.get(`${ctx.base}/accounts/alias/@nobody`), 404, '0007');
    const other = await newLedger(api);
    await newAccount(other, '@only-there');
    expectError(await api.get(`${ctx.base}/accounts/alias/@only-there`), 404, '0007');
    expectError(await api.get(`${ctx.base}/accounts/alias/@only-there/balances`), 404);
  });

  it('refuses to delete an external account: 422 code 0074', async () => {
    const ext = (await api.get(`${ctx.base}/accounts/external/USD`)).body;
    expectError(await api.delete(`${ctx.base}/accounts/${ext.id}`), 422, '0074');
    expectStatus(await api.get(`${ctx.base}/accounts/${ext.id}`), 200);
  });

  it('refuses to patch an external account: 422 code 0074', async () => {
    const ext = (await api.get(`${ctx.base}/accounts/external/USD`)).body;
    expectError(await api.patch(`${ctx.base}/accounts/${ext.id}`, { name: 'hijacked' }), 422, '0074');
    expect((await api.get(`${ctx.base}/accounts/${ext.id}`)).body.name).toBe(ext.name);
  });

  it('refuses to delete or patch the balance of an external account: 422 code 0074, inflows still work', async () => {
    const [ext] = (await api.get(`${ctx.base}/accounts/external/USD/balances`)).body.items;
    expectError(await api.delete(`${ctx.base}/balances/${ext.id}`), 422, '0074');
    expectError(await api.patch(`${ctx.base}/balances/${ext.id}`, { allowSending: false }), 422, '0074');
    expect((await api.get(`${ctx.base}/balances/${ext.id}`)).body).toMatchObject({ allowSending: true, deletedAt: null });
    await newAccount(ctx, '@after-ext');
    await fund(ctx, '@after-ext', '1');
  });
});

describe('list query errors', () => {
  let paths: string[];
  beforeAll(async () => {
    const ctx = await newLedger(api);
    paths = [
      '/v1/organizations',
      `/v1/organizations/${ctx.org}/ledgers`,
      ...['assets', 'accounts', 'portfolios', 'segments'].map((p) => `${ctx.base}/${p}`),
    ];
  });

  const cases: Array<[string, string, string, string]> = [
    ['limit over 100', 'limit=101', '0080', 'limit'],
    ['limit zero', 'limit=0', '0047', 'limit'],
    ['page not a number', 'page=abc', '0047', 'page'],
    ['unknown sort_order', 'sort_order=sideways', '0081', 'sort_order'],
    ['bad start_date', 'start_date=2024-13-45', '0077', 'start_date'],
    ['bad end_date', 'end_date=yesterday', '0077', 'end_date'],
    ['start_date after end_date', 'start_date=2024-02-01&end_date=2024-01-01', '0083', 'start_date'],
    ['unknown query parameter', 'colour=red', '0053', 'colour'],
  ];

  it.each(cases)('refuses %s (%s): 400 code %s on every list and count', async (_name, query, code, field) => {
    for (const path of paths) {
      const err = expectError(await api.get(`${path}?${query}`), 400, code);
      expect(err.fields).toHaveProperty(field);
      const head = await api.head(`${path}/metrics/count?${query}`);
      expect({ path, status: head.status }).toEqual({ path, status: 400 });
    }
  });

  it('accepts limit=100', async () => {
    const res = await api.get(`/v1/organizations?limit=100`);
    expectStatus(res, 200);
    expect(res.body.limit).toBe(100);
  });
});

describe('metadata limits', () => {
  let base: string;
  beforeAll(async () => {
    base = (await newLedger(api)).base;
  });

  it('refuses nested metadata: 400 naming metadata', async () => {
    const err = expectError(await api.post(`${base}/segments`, { name: 's', metadata: { a: { b: 1 } } }), 400);
    expect(err.fields).toHaveProperty('metadata');
  });

  it('refuses an array as a metadata value: 400', async () => {
    expectError(await api.post(`${base}/segments`, { name: 's', metadata: { a: [1] } }), 400);
  });

  it('refuses a metadata key over 100 characters: 400', async () => {
    const err = expectError(await api.post(`${base}/segments`, { name: 's', metadata: { ['k'.repeat(101)]: 'v' } }), 400);
    expect(err.fields).toHaveProperty('metadata');
  });

  it('accepts a metadata key of exactly 100 characters', async () => {
    expectStatus(await api.post(`${base}/segments`, { name: 's', metadata: { ['k'.repeat(100)]: 'v' } }), 201);
  });

  it('refuses a metadata value over 2000 characters: 400', async () => {
    const err = expectError(await api.post(`${base}/segments`, { name: 's', metadata: { k: 'v'.repeat(2001) } }), 400);
    expect(err.fields).toHaveProperty('metadata');
  });

  it('accepts a metadata value of exactly 2000 characters', async () => {
    const res = await api.post(`${base}/segments`, { name: 's', metadata: { k: 'v'.repeat(2000) } });
    expectStatus(res, 201);
    expect(res.body.metadata.k).toHaveLength(2000);
  });

  it('refuses metadata that is not an object: 400', async () => {
    expectError(await api.post(`${base}/segments`, { name: 's', metadata: 'flat' }), 400);
  });

  it('refuses oversized metadata on PATCH too', async () => {
    const seg = (await api.post(`${base}/segments`, { name: 's' })).body;
    expectError(await api.patch(`${base}/segments/${seg.id}`, { metadata: { k: 'v'.repeat(2001) } }), 400);
  });
});

describe('request bodies', () => {
  const postAs = (type: string, body: string) => api.request('POST', '/v1/organizations', body, { 'content-type': type });

  it('refuses an XML or multipart body: 415', async () => {
    expectError(await postAs('application/xml', '<o><legalName>a</legalName></o>'), 415);
    expectError(await postAs('multipart/form-data; boundary=x', '--x--'), 415);
  });

  it('refuses a form-urlencoded body: 415', async () => {
    expectError(await postAs('application/x-www-form-urlencoded', 'legalName=a&legalDocument=b'), 415);
  });

  it('refuses a text/plain body: 415', async () => {
    expectError(await postAs('text/plain', JSON.stringify({ legalName: 'a', legalDocument: 'b' })), 415);
  });

  it('refuses invalid JSON: 400', async () => {
    expectError(await api.request('POST', '/v1/organizations', '{"legalName": ', {}), 400);
  });

  it('refuses a JSON array or scalar body: 400', async () => {
    expectError(await api.request('POST', '/v1/organizations', '[]', {}), 400);
    expectError(await api.request('POST', '/v1/organizations', '"text"', {}), 400);
  });

  it('refuses a body over 256 KB: 413', async () => {
    const body = { legalName: 'Big', legalDocument: '1', doingBusinessAs: 'x'.repeat(300 * 1024) };
    expectError(await api.post('/v1/organizations', body), 413);
  });
});
